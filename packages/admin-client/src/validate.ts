import { InvalidOptionError } from "./errors.js";

/**
 * A path segment the caller supplies (deployment id, service name, invocation id…), encoded so that it
 * stays exactly one segment. Empty and blank values, `.` and `..` (which URL resolution would turn into
 * a different path: `invocations.kill("..")` would become `PATCH /v4/kill`) and text that is not
 * well-formed Unicode are refused before anything is sent.
 */
export function segment(name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidOptionError(name, "must be a non-empty string");
  }
  if (value === "." || value === "..") throw new InvalidOptionError(name, `must not be "${value}"`);
  if (!isWellFormed(value)) throw new InvalidOptionError(name, "must be well-formed Unicode (no lone surrogates)");
  return encodeURIComponent(value);
}

function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed is Node ≥ 20; the pattern is the same rule for older runtimes.
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Header maps sent to deployments: names must be valid HTTP tokens, values strings without line breaks. */
export function headerMap(
  name: string,
  headers: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (!isHeaderName(key)) throw new InvalidOptionError(name, invalidHeaderName(key));
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new InvalidOptionError(name, `the value of "${key}" must be a string without line breaks`);
    }
  }
  return headers;
}

/** Whether `name` is an HTTP token, as header names must be. */
export function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}

/**
 * Why a header name was refused, without showing it: a name that is not a token is often a secret in
 * the wrong place (`x-api-key:<secret>=…`, a colon for the `=`, with `=` inside a base64 secret).
 */
export function invalidHeaderName(name: string): string {
  return `a header name is not valid (${name.length} characters, not shown; letters, digits and !#$%&'*+-.^_\`|~ only)`;
}
