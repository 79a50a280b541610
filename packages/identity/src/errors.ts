/**
 * Why a request was rejected. A closed list: branch on the code, never on message text.
 *
 * | code | meaning |
 * | --- | --- |
 * | `missing_scheme` | no `x-restate-signature-scheme` header |
 * | `unsigned` | scheme `unsigned` while signed requests are required |
 * | `unknown_scheme` | scheme is neither `v1` nor `unsigned` |
 * | `duplicate_header` | an identity header was sent more than once |
 * | `missing_token` | scheme `v1` without an `x-restate-jwt-v1` header |
 * | `malformed_token` | not a well-formed compact JWS as restate-server sends it (parts, base64url, UTF-8, JSON, header members, size) |
 * | `unsupported_algorithm` | JWT header `alg` is not `EdDSA` |
 * | `bad_signature` | no configured key verifies the signature |
 * | `missing_claim` | one of `aud`, `exp`, `iat`, `nbf` is absent |
 * | `invalid_claim` | a claim has the wrong type (e.g. fractional or string `exp`) |
 * | `expired` | `exp` is in the past (beyond the clock tolerance) |
 * | `not_yet_valid` | `nbf` is in the future (beyond the clock tolerance) |
 * | `audience_mismatch` | `aud` differs from the normalised request path |
 * | `internal_error` | the verifier itself failed (a broken clock, a crypto failure): fail closed |
 */
export const REJECTION_CODES = [
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
  "internal_error",
] as const;

/** Why a request was rejected; see {@link REJECTION_CODES}. */
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Codes of {@link IdentityError}: configuration and key problems, thrown at construction time. */
export const IDENTITY_ERROR_CODES = [
  "invalid_public_key",
  "invalid_private_key",
  "no_keys",
  "invalid_option",
  "crypto_unavailable",
] as const;

export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];

/**
 * What exactly is wrong with a key string or PEM: `weak` is a point of small order or outside the
 * prime-order subgroup, `point` bytes that are not the canonical encoding of a curve point.
 */
export type KeyProblem = "type" | "prefix" | "base58" | "length" | "point" | "weak" | "pem" | "der" | "mismatch";

/**
 * A configuration error (bad key, bad option). Thrown synchronously by constructors so a
 * misconfigured service fails at startup instead of accepting requests. Never contains key material.
 *
 * @example
 * ```ts
 * import { createVerifier, IdentityError } from "@restate-connect/identity";
 *
 * try {
 *   createVerifier({ keys: ["publickeyv1_oops"] });
 * } catch (error) {
 *   if (error instanceof IdentityError && error.code === "invalid_public_key") console.error(error.keyIndex, error.message);
 * }
 * ```
 */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
  /** Whether trying again unchanged can succeed: never for configuration errors. */
  readonly retryable = false;
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
