/** What replaces a secret wherever text or headers leave this package. */
export const REDACTED = "[redacted]";

const SECRET_HEADER_NAMES = /^(authorization|proxy-authorization|cookie|set-cookie)$/i;
// Substrings of header names that carry credentials in practice: x-api-key, x-auth-token,
// x-vercel-protection-bypass, x-client-secret, x-amz-security-token, x-session-id, x-signature,
// x-goog-iap-jwt-assertion, x-private-key, x-csrf-token…
const SECRET_HEADER_PARTS =
  /key|token|secret|auth|pass|pwd|bypass|credential|session|signature|cookie|jwt|bearer|private|csrf|xsrf/i;

/** Whether a header's value should be treated as a secret (never printed, never sent across origins). */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER_NAMES.test(name) || SECRET_HEADER_PARTS.test(name);
}

/**
 * Whether a URL query parameter carries a secret: a secret-looking header name (`x-vercel-protection-bypass`,
 * `api_key`, `X-Amz-Signature`), or one of the query-only names platforms use for keys: Azure
 * Functions' `code`, Azure SAS `sig`.
 */
export function isSecretQueryParameter(name: string): boolean {
  return isSecretHeader(name) || /^(code|sig)$/i.test(name);
}

/** A copy of a header map with the values of secret-looking headers replaced by `[redacted]`. */
export function redactHeaderValues(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? REDACTED : value]),
  );
}

/**
 * Replaces every occurrence of each secret in `text` (longest first, so a secret containing another
 * is removed whole), also in the forms an echo takes on the way: JSON-escaped (a proxy's JSON body the
 * client does not parse) and percent-encoded (a URL or form echoed back).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets
    .filter((secret) => secret.length > 0)
    .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), percentEncoded(secret)]);
  return [...new Set(forms)].sort((a, b) => b.length - a.length).reduce((out, form) => replaceAll(out, form), text);
}

function percentEncoded(secret: string): string {
  try {
    return encodeURIComponent(secret);
  } catch {
    return secret; // a lone surrogate: no encoded form
  }
}

/** Percent-escapes match in either case (`%2f` and `%2F` are the same byte); the rest exactly. */
function replaceAll(text: string, form: string): string {
  if (!/%[0-9A-F]{2}/.test(form)) return text.split(form).join(REDACTED);
  const pattern = form
    .split(/(%[0-9A-F]{2})/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/[A-F]/g, (digit) => `[${digit}${digit.toLowerCase()}]`)
        : part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"),
    )
    .join("");
  return text.replace(new RegExp(pattern, "g"), REDACTED);
}

/**
 * A URL with its secrets replaced: credentials (`https://user:pass@…`) and the values of query
 * parameters whose name looks secret (`?x-vercel-protection-bypass=…`, `?api_key=…`). Text that is not
 * a URL is returned as it is.
 */
export function redactUrlSecrets(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return text;
  const credentials = url.username !== "" || url.password !== "";
  const query = url.search
    .slice(1)
    .split("&")
    .map((pair) => {
      const at = pair.indexOf("=");
      const name = at < 0 ? pair : pair.slice(0, at);
      return isSecretQueryParameter(safeDecode(name)) && at >= 0 ? `${name}=${REDACTED}` : pair;
    })
    .join("&");
  if (!credentials && (url.search === "" || `?${query}` === url.search)) return text;
  const authority = `${credentials ? `${REDACTED}@` : ""}${url.host}`;
  return `${url.protocol}//${authority}${url.pathname}${url.search ? `?${query}` : ""}${url.hash}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * Replaces JSON Web Tokens (`eyJ….eyJ….…`). restate-server quotes what a deployment answered during
 * discovery; a deployment or proxy that echoes the request shows Restate's own request-identity token
 * (`x-restate-jwt-v1`), which can be replayed on that path until it expires.
 */
export function redactJwts(text: string): string {
  return text.replace(/eyJ[\w-]{2,}\.eyJ[\w-]{2,}\.[\w-]*/g, REDACTED);
}
