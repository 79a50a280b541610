/**
 * Why a request was rejected. A closed union: branch on it, never on message text.
 *
 * | code | meaning |
 * | --- | --- |
 * | `missing_scheme` | no `x-restate-signature-scheme` header |
 * | `unsigned` | scheme `unsigned` while signed requests are required |
 * | `unknown_scheme` | scheme is neither `v1` nor `unsigned` |
 * | `duplicate_header` | an identity header was sent more than once |
 * | `missing_token` | scheme `v1` without an `x-restate-jwt-v1` header |
 * | `malformed_token` | not a well-formed compact JWS (parts, base64url, JSON, size) |
 * | `unsupported_algorithm` | JWT header `alg` is not `EdDSA` |
 * | `bad_signature` | no configured key verifies the signature |
 * | `missing_claim` | one of `aud`, `exp`, `iat`, `nbf` is absent |
 * | `invalid_claim` | a claim has the wrong type (e.g. fractional or string `exp`) |
 * | `expired` | `exp` is in the past (beyond the clock tolerance) |
 * | `not_yet_valid` | `nbf` is in the future (beyond the clock tolerance) |
 * | `audience_mismatch` | `aud` differs from the normalised request path |
 */
export type RejectionCode =
  | "missing_scheme"
  | "unsigned"
  | "unknown_scheme"
  | "duplicate_header"
  | "missing_token"
  | "malformed_token"
  | "unsupported_algorithm"
  | "bad_signature"
  | "missing_claim"
  | "invalid_claim"
  | "expired"
  | "not_yet_valid"
  | "audience_mismatch";

/** Every rejection code, e.g. for metrics labels or exhaustive tests. */
export const REJECTION_CODES: readonly RejectionCode[] = [
  "missing_scheme",
  "unsigned",
  "unknown_scheme",
  "duplicate_header",
  "missing_token",
  "malformed_token",
  "unsupported_algorithm",
  "bad_signature",
  "missing_claim",
  "invalid_claim",
  "expired",
  "not_yet_valid",
  "audience_mismatch",
];

/** Codes of {@link IdentityError}: configuration and key problems, thrown at construction time. */
export type IdentityErrorCode =
  | "invalid_public_key"
  | "invalid_private_key"
  | "no_keys"
  | "invalid_option"
  | "crypto_unavailable";

/** What exactly is wrong with a key string or PEM. */
export type KeyProblem = "type" | "prefix" | "base58" | "length" | "pem" | "der" | "mismatch";

/**
 * A configuration error (bad key, bad option). Thrown synchronously by constructors so a
 * misconfigured service fails at startup instead of accepting requests. Never contains key material.
 *
 * @example
 * ```ts
 * try {
 *   createVerifier({ keys: ["publickeyv1_oops"] });
 * } catch (error) {
 *   if (error instanceof IdentityError && error.code === "invalid_public_key") console.error(error.message);
 * }
 * ```
 */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    /** For key errors: which part of the key is wrong. */
    readonly problem?: KeyProblem,
    /** For key lists: the index of the offending key. */
    readonly keyIndex?: number,
  ) {
    super(message);
  }
}
