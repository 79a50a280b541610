import { describeValue, InvokerRoleError } from "./errors.js";

/** What the HCL writer understands: what JSON can hold, minus booleans and null (never generated). */
export type HclValue = string | number | readonly HclValue[] | { readonly [key: string]: HclValue };

const LONE_SURROGATE = /\p{Cs}/u;

function hex(codePoint: number): string {
  return `\\u${codePoint.toString(16).padStart(4, "0")}`;
}

/**
 * The one way a string reaches HCL: a quoted template literal that Terraform reads back as exactly
 * `value` and never evaluates.
 *
 * - `${` and `%{` open interpolations and directives; HCL's escapes for them are `$${` and `%%{`.
 *   (A JavaScript replacement string would turn `"$${"` back into `${`; a replacer function is used.)
 * - `"` and `\` are escaped, and so is every character that is not plainly printable (C0 and C1
 *   controls, DEL, line and paragraph separators, the byte-order mark), as `\n`, `\r`, `\t` or `\uNNNN`.
 * - Terraform normalises every string literal to Unicode NFC, so a string that is not already in
 *   NFC cannot be written faithfully and is refused, as is a lone surrogate (not representable in UTF-8).
 */
export function hclString(value: string): string {
  if (typeof value !== "string") {
    throw new InvokerRoleError("unrenderable_value", `expected a string for HCL, got ${describeValue(value)}`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new InvokerRoleError("unrenderable_value", `${describeValue(value)} contains a lone UTF-16 surrogate`);
  }
  if (value.normalize("NFC") !== value) {
    throw new InvokerRoleError(
      "unrenderable_value",
      `${describeValue(value)} is not in Unicode NFC; Terraform would normalise it and create a different value`,
    );
  }
  const templateSafe = value.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
  let out = '"';
  for (const char of templateSafe) {
    const codePoint = char.codePointAt(0) as number;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (
      codePoint < 0x20 ||
      (codePoint >= 0x7f && codePoint <= 0x9f) ||
      codePoint === 0x2028 ||
      codePoint === 0x2029 ||
      codePoint === 0xfeff
    ) {
      out += hex(codePoint);
    } else out += char;
  }
  return `${out}"`;
}

/** An HCL expression for a JSON-like value; every string (keys too) goes through {@link hclString}. */
export function hclValue(value: HclValue, indent: string): string {
  if (typeof value === "string") return hclString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvokerRoleError("unrenderable_value", "HCL numbers must be finite");
    return String(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item: HclValue) => `${inner}${hclValue(item, inner)},`).join("\n")}\n${indent}]`;
  }
  if (typeof value !== "object" || value === null) {
    throw new InvokerRoleError("unrenderable_value", `cannot write ${describeValue(value)} as HCL`);
  }
  const entries = Object.entries(value as { readonly [key: string]: HclValue });
  if (entries.length === 0) return "{}";
  return `{\n${hclAttributes(
    entries.map(([key, item]) => [hclString(key), hclValue(item, inner)]),
    inner,
  )}\n${indent}}`;
}

/**
 * Lines `key = value` aligned the way `terraform fmt` does: runs of single-line values share one
 * column for `=`; a multi-line value ends the run and is not padded.
 */
export function hclAttributes(entries: readonly (readonly [string, string])[], indent: string): string {
  const lines: string[] = [];
  let run: (readonly [string, string])[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([key]) => key.length));
    for (const [key, value] of run) lines.push(`${indent}${key.padEnd(width)} = ${value}`);
    run = [];
  };
  for (const [key, value] of entries) {
    if (value.includes("\n")) {
      flush();
      lines.push(`${indent}${key} = ${value}`);
    } else {
      run.push([key, value]);
    }
  }
  flush();
  return lines.join("\n");
}
