/** What replaces a secret wherever text or headers leave this package. */
export const REDACTED = "[redacted]";

const SECRET_HEADER_NAMES = /^(authorization|proxy-authorization|cookie|set-cookie)$/i;
// Substrings of header names that carry credentials in practice: x-api-key, x-auth-token,
// x-vercel-protection-bypass, x-client-secret, x-amz-security-token, x-session-id, x-signature…
const SECRET_HEADER_PARTS = /key|token|secret|auth|pass|bypass|credential|session|signature|cookie/i;

/** Whether a header's value should be treated as a secret (never printed, never sent across origins). */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER_NAMES.test(name) || SECRET_HEADER_PARTS.test(name);
}

/** A copy of a header map with the values of secret-looking headers replaced by `[redacted]`. */
export function redactHeaderValues(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? REDACTED : value]),
  );
}

/**
 * Replaces every occurrence of each secret in `text` (longest first, so a secret containing another
 * is removed whole).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
