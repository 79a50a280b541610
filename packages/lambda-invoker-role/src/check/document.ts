import { describeValue, InvokerRoleError } from "../errors.js";
import type { Findings } from "./report.js";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One statement of a policy being checked, with the label findings use for it. */
export interface RawStatement {
  /** `Sid` when it is a plain IAM Sid (letters and digits), otherwise `#index`. */
  readonly label: string;
  readonly raw: JsonObject;
}

/**
 * Reads a policy document from what users have at hand: a document object, its JSON text, the
 * URL-encoded form the IAM API returns, or the whole `aws iam get-role` output. JSON text with a
 * repeated object key is refused: which of the two values IAM would use is not something a check
 * should guess.
 */
export function readPolicyDocument(input: unknown): JsonObject {
  let value: unknown = input;
  if (typeof value === "string") value = parseText(value);
  if (value && typeof value === "object" && !Array.isArray(value) && "Role" in value) {
    // A policy document next to `Role`: the check would read one and IAM (or a deploy tool) the other.
    if ("Statement" in value || "Version" in value) {
      throw new InvokerRoleError(
        "invalid_policy",
        "give a policy document or `aws iam get-role` output, not both in one",
      );
    }
    const role = (value as { Role: unknown }).Role;
    value =
      role && typeof role === "object"
        ? (role as { AssumeRolePolicyDocument?: unknown }).AssumeRolePolicyDocument
        : undefined;
    if (typeof value === "string") value = parseText(value);
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || !("Statement" in value)) {
    throw new InvokerRoleError(
      "invalid_policy",
      "expected an IAM policy document with a Statement (or `aws iam get-role` output)",
    );
  }
  return value as JsonObject;
}

function parseText(text: string): unknown {
  let trimmed = text.trim();
  if (trimmed.startsWith("%7B") || trimmed.startsWith("%7b")) {
    try {
      trimmed = decodeURIComponent(trimmed);
    } catch {
      throw new InvokerRoleError("invalid_policy", "the policy is not valid URL-encoded JSON");
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new InvokerRoleError("invalid_policy", "the policy is not valid JSON");
  }
  const repeated = repeatedKey(trimmed);
  if (repeated !== undefined) {
    throw new InvokerRoleError(
      "invalid_policy",
      `the policy repeats the key ${JSON.stringify(repeated)} in one object`,
    );
  }
  return parsed;
}

/** The first key that occurs twice in one object of valid JSON text, if any. */
function repeatedKey(text: string): string | undefined {
  // Per open container: the keys seen (objects) or null (arrays), and whether a key comes next.
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "{") stack.push({ keys: new Set(), expectKey: true });
    else if (char === "[") stack.push({ keys: null, expectKey: false });
    else if (char === "}" || char === "]") stack.pop();
    else if (char === ",") {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (char === '"') {
      let end = index + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      index = end;
    }
  }
  return undefined;
}

/** The statements of a document (`Statement` may be one object or a list). */
export function statementsOf(document: JsonObject): RawStatement[] {
  const statements = document.Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.map((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      throw new InvokerRoleError("invalid_policy", `statement #${index} is not an object`);
    }
    const label = typeof raw.Sid === "string" && /^[A-Za-z0-9]{1,128}$/.test(raw.Sid) ? raw.Sid : `#${index}`;
    return { label, raw };
  });
}

/**
 * A policy element that IAM allows as one string or a list of strings. `undefined` when it is
 * anything else (a number, an object, a list holding a non-string): the caller reports that.
 */
export function stringList(value: Json | undefined): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  return undefined;
}

/**
 * Whether an IAM action pattern (case-insensitive, `*` any run, `?` one character) matches the
 * action. Policy text is untrusted: the match is the greedy wildcard walk, which takes at most
 * pattern × action steps, never a regex built from the pattern (`****…x` backtracks
 * exponentially in a regex engine).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  let pi = 0;
  let ai = 0;
  // Where the last `*` was seen, and the action position it currently stands for the end of.
  let star = -1;
  let resume = 0;
  while (ai < a.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === a[ai]))) {
      pi++;
      ai++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = ai;
    } else if (star >= 0) {
      pi = star + 1;
      ai = ++resume;
    } else {
      return false;
    }
  }
  while (p[pi] === "*") pi++;
  return pi === p.length;
}

/** A condition entry: one operator applied to one context key. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  /** The values, or undefined when they are not strings, numbers or booleans. */
  readonly values: string[] | undefined;
}

/** Whether two of the names differ only in case. */
function repeatsIgnoringCase(names: readonly string[]): boolean {
  return new Set(names.map((name) => name.toLowerCase())).size !== names.length;
}

/**
 * Every entry of a statement's `Condition`, or undefined when `Condition` is not an object of
 * operator → { key → value or list of values }. Also undefined when two operators, or two keys of
 * one operator, differ only in case: IAM compares condition keys (and, in the simulator, operators)
 * case-insensitively, and whether it then combines both entries or keeps one is not something a
 * check should guess (the same reason JSON with a repeated key is refused).
 */
export function conditionEntries(raw: JsonObject): ConditionEntry[] | undefined {
  const condition = raw.Condition;
  if (condition === undefined) return [];
  if (!condition || typeof condition !== "object" || Array.isArray(condition)) return undefined;
  if (repeatsIgnoringCase(Object.keys(condition))) return undefined;
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!block || typeof block !== "object" || Array.isArray(block)) return undefined;
    if (repeatsIgnoringCase(Object.keys(block))) return undefined;
    for (const [key, value] of Object.entries(block)) {
      const items = Array.isArray(value) ? value : [value];
      const scalar = items.every((item) => ["string", "number", "boolean"].includes(typeof item));
      entries.push({ operator, key, values: scalar ? items.map(String) : undefined });
    }
  }
  return entries;
}

/** The entries on one context key (IAM compares condition keys case-insensitively). */
export function entriesOn(entries: readonly ConditionEntry[], key: string): ConditionEntry[] {
  return entries.filter((entry) => entry.key.toLowerCase() === key.toLowerCase());
}

/** IAM policy variables (`${aws:username}`) are substituted in condition values and resources. */
export function hasPolicyVariable(value: string): boolean {
  return value.includes("${");
}

const DOCUMENT_KEYS = new Set(["Version", "Id", "Statement"]);

/** Findings about the document itself: its `Version`, elements this check does not know, no statements. */
export function documentFindings(document: JsonObject, statements: readonly RawStatement[], findings: Findings): void {
  for (const key of Object.keys(document)) {
    if (!DOCUMENT_KEYS.has(key)) {
      findings.add(
        "error",
        "unsupported_element",
        `the document has ${describeValue(key)}, which this check does not analyse`,
      );
    }
  }
  const version = document.Version;
  if (version === undefined || version === "2008-10-17") {
    findings.add(
      "warning",
      "policy_version",
      'the policy has no Version "2012-10-17" (IAM then reads it as 2008-10-17, without policy variables)',
    );
  } else if (version !== "2012-10-17") {
    findings.add("error", "policy_version", `Version ${describeValue(String(version))} is not an IAM policy version`);
  }
  if (statements.length === 0) findings.add("error", "no_statements", "the policy has no statements");
}
