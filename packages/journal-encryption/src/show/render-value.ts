/** How a decrypted (or plaintext) value is shown: pretty JSON, text, or hex. */

/** A value made readable; `text` is plain text that the caller still escapes for its medium. */
export interface RenderedValue {
  readonly as: "json" | "text" | "hex" | "empty";
  readonly text: string;
  readonly length: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
/**
 * Characters that would let a stored value steer a terminal or disguise itself: C0 controls other
 * than tab and line feed (so also carriage return and escape), DEL, C1 controls (U+009B is an 8-bit
 * CSI) and the bidirectional overrides. Text containing any is shown as hex.
 */
const STEERING = "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]";
const UNPRINTABLE = new RegExp(STEERING);

/** The same characters, anywhere: `safeText` writes them as `\u{…}` escapes. */
const UNPRINTABLE_ALL = new RegExp(STEERING, "g");

/**
 * Text that came from stored data (a state key, an entry name, a failure message) made safe for a
 * terminal: control and bidi characters become visible `\u{…}` escapes.
 */
export function safeText(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
}

/**
 * JSON (pretty-printed with two spaces) when the bytes are UTF-8 JSON, else text when they are
 * printable UTF-8, else lowercase hex.
 *
 * @example
 * ```ts
 * renderValue(new TextEncoder().encode('{"a":1}')); // { as: "json", text: '{\n  "a": 1\n}', length: 7 }
 * ```
 */
export function renderValue(bytes: Uint8Array): RenderedValue {
  const length = bytes.length;
  if (length === 0) return { as: "empty", text: "", length };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { as: "hex", text: hex(bytes), length };
  }
  let json = false;
  try {
    JSON.parse(text);
    json = true;
  } catch {
    // not JSON
  }
  if (json) return { as: "json", text: safeText(reindentJson(text, indentBudget(text.length)) ?? text), length };
  if (UNPRINTABLE.test(text)) return { as: "hex", text: hex(bytes), length };
  return { as: "text", text, length };
}

/**
 * How long pretty-printed JSON may grow. Indentation grows with depth, so a small, deeply nested
 * value (`[[[[…]]]]`, 32 KB) would print as hundreds of megabytes; past this budget the value is
 * shown as stored.
 */
export function indentBudget(length: number): number {
  return 8 * length + 65_536;
}

/**
 * Re-indents valid JSON text with two spaces without parsing its values, so numbers beyond
 * double precision (`12345678901234567890`) and string escapes are shown exactly as stored.
 * Undefined as soon as the result would be longer than `maxLength`.
 */
export function reindentJson(text: string, maxLength = Number.POSITIVE_INFINITY): string | undefined {
  let out = "";
  let depth = 0;
  let i = 0;
  const newline = () => `\n${"  ".repeat(depth)}`;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let k = i + 1;
      while (k < text.length && /\s/.test(text[k] as string)) k++;
      if (text[k] === close) {
        out += c + close;
        i = k + 1;
        continue;
      }
      depth++;
      out += c + newline();
    } else if (c === "}" || c === "]") {
      depth--;
      out += newline() + c;
    } else if (c === ",") {
      out += c + newline();
    } else if (c === ":") {
      out += ": ";
    } else {
      out += c;
    }
    if (out.length > maxLength) return undefined;
    i++;
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
