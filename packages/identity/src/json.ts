// JSON object parsing for JWT segments: strict UTF-8, a plain object at the top, and no duplicate
// member names (JSON.parse would silently keep the last one, while Restate's Rust verifier rejects
// duplicates; two parsers disagreeing about a claim is how verifiers get bypassed).

/** The first member name that appears twice at the top level of `json`, if any. Assumes nothing about validity. */
export function findDuplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i += 2;
          continue;
        }
        if (d === 0x22) break;
        i++;
      }
      const end = i; // index of the closing quote (or n)
      i++;
      if (depth !== 1) continue;
      let j = i;
      while (j < n && (json[j] === " " || json[j] === "\t" || json[j] === "\n" || json[j] === "\r")) j++;
      if (json[j] !== ":") continue;
      let key: string;
      if (escaped) {
        try {
          key = JSON.parse(json.slice(start, end + 1)) as string;
        } catch {
          return undefined; // invalid string: JSON.parse of the whole text reports it
        }
      } else key = json.slice(start + 1, end);
      if (seen.has(key)) return key;
      seen.add(key);
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    i++;
  }
  return undefined;
}

/** Parses a JSON object or explains (in a short, key-free sentence) why it is not acceptable. */
export function parseJsonObject(
  json: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; why: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, why: "is not valid JSON" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, why: "is not a JSON object" };
  const duplicate = findDuplicateKey(json);
  if (duplicate !== undefined) return { ok: false, why: `has the member ${quote(duplicate)} twice` };
  // Decoded UTF-8 cannot hold a lone surrogate, so only a \u escape can make one.
  if (json.includes("\\u") && hasLoneSurrogate(value))
    return { ok: false, why: "has a lone surrogate (\\uD800–\\uDFFF) in a string" };
  return { ok: true, value: value as Record<string, unknown> };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether any string or member name in a parsed JSON value is not well-formed UTF-16. */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  for (const [key, member] of Object.entries(value))
    if (LONE_SURROGATE.test(key) || hasLoneSurrogate(member)) return true;
  return false;
}

/** A short, safely quoted rendering of untrusted text for messages. */
export function quote(text: string, max = 80): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}
