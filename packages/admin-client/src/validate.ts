import { InvalidOptionError } from "./errors.js";

/** A path segment the caller supplies (deployment id, service name, invocation id…). */
export function segment(name: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidOptionError(name, "must be a non-empty string");
  return encodeURIComponent(value);
}

/** Header maps sent to deployments: names must be valid HTTP tokens, values strings without line breaks. */
export function headerMap(
  name: string,
  headers: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw new InvalidOptionError(name, `"${key}" is not a valid header name`);
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new InvalidOptionError(name, `the value of "${key}" must be a string without line breaks`);
    }
  }
  return headers;
}
