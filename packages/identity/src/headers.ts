/** Header naming the signature scheme: `v1` or `unsigned`. */
export const SCHEME_HEADER = "x-restate-signature-scheme";
/** Header carrying the compact JWS when the scheme is `v1`. */
export const JWT_HEADER = "x-restate-jwt-v1";

/**
 * Request headers in any of the shapes frameworks hand out: a Fetch `Headers`, a Node
 * `IncomingHttpHeaders`-style record (any case; values string, string[] or undefined), or an
 * iterable of `[name, value]` pairs (e.g. `Map`, arrays).
 */
export type HeaderInput =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

/** Marker for a header sent more than once (ambiguous, so rejected). */
export const MULTIPLE: unique symbol = Symbol("multiple header values");

/** The single value of header `name` (lower case), `undefined` when absent, {@link MULTIPLE} when repeated. */
export function readHeader(headers: HeaderInput, name: string): string | undefined | typeof MULTIPLE {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  if (headers !== null && typeof headers === "object" && Symbol.iterator in headers) {
    let found: string | undefined;
    for (const pair of headers as Iterable<readonly [string, string]>) {
      const key = pair[0];
      if (typeof key !== "string" || key.length !== name.length || key.toLowerCase() !== name) continue;
      if (found !== undefined) return MULTIPLE;
      found = String(pair[1]);
    }
    return found;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let found: string | undefined;
  for (const key in record) {
    if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue;
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value === "string") {
      if (found !== undefined) return MULTIPLE;
      found = value;
    } else if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (found !== undefined || value.length > 1) return MULTIPLE;
      found = String(value[0]);
    } else {
      if (found !== undefined) return MULTIPLE;
      found = String(value);
    }
  }
  return found;
}
