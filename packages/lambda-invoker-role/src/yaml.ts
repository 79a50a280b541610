import { describeValue, InvokerRoleError } from "./errors.js";

/** Values the YAML emitter understands: what JSON can hold. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

// Plain (unquoted) scalars only when unambiguous for YAML 1.1 and 1.2 parsers alike
// (cfn-lint and CloudFormation read YAML 1.1, where yes/no/on/off are booleans and
// 2012-10-17 is a date): a letter first, then letters, digits, and _ . / - only.
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const RESERVED = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null"]);

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvokerRoleError("unrenderable_value", "YAML numbers must be finite");
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (PLAIN.test(value) && !RESERVED.has(value.toLowerCase())) return value;
  if (/\p{Cs}/u.test(value)) {
    throw new InvokerRoleError("unrenderable_value", `${describeValue(value)} contains a lone UTF-16 surrogate`);
  }
  // A JSON string is a valid YAML double-quoted scalar (JSON's escapes are a subset of YAML's).
  // Escape what JSON leaves raw but YAML treats as a line break or does not allow in a stream:
  // DEL, C1 controls, U+2028/2029, the byte-order mark and the non-characters U+FFFE/U+FFFF.
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (char) => {
    if (char === "\u0085") return "\\N";
    if (char === "\u2028") return "\\L";
    if (char === "\u2029") return "\\P";
    return `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, "0")}`;
  });
}

function isCollection(value: YamlValue): value is readonly YamlValue[] | { readonly [key: string]: YamlValue } {
  return typeof value === "object" && value !== null;
}

function isEmpty(value: YamlValue): boolean {
  return isCollection(value) && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function emit(value: YamlValue, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly YamlValue[]) {
      if (isCollection(item) && !isEmpty(item)) {
        const nested: string[] = [];
        emit(item, `${indent}  `, nested);
        // First line of the nested block goes after the dash.
        lines.push(`${indent}- ${nested[0]!.slice(indent.length + 2)}`, ...nested.slice(1));
      } else {
        lines.push(`${indent}- ${inline(item)}`);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value as { readonly [key: string]: YamlValue })) {
    if (isCollection(item) && !isEmpty(item)) {
      lines.push(`${indent}${scalar(key)}:`);
      emit(item, `${indent}  `, lines);
    } else {
      lines.push(`${indent}${scalar(key)}: ${inline(item)}`);
    }
  }
}

function inline(value: YamlValue): string {
  if (Array.isArray(value)) return "[]";
  if (isCollection(value)) return "{}";
  return scalar(value as string | number | boolean | null);
}

/**
 * Emits block-style YAML for a JSON-like value (objects, arrays, strings, numbers, booleans, null).
 * Strings are quoted unless plainly safe, so the result reads back identically in YAML 1.1 and 1.2.
 *
 * @example
 * ```ts
 * toYaml({ Version: "2012-10-17", Action: ["sts:AssumeRole"] });
 * // Version: "2012-10-17"\nAction:\n  - "sts:AssumeRole"\n
 * ```
 */
export function toYaml(value: YamlValue): string {
  if (!isCollection(value)) return `${scalar(value)}\n`;
  if (isEmpty(value)) return `${inline(value)}\n`;
  const lines: string[] = [];
  emit(value, "", lines);
  return `${lines.join("\n")}\n`;
}
