/**
 * Every failure this package reports carries one of these stable codes; branch on `error.code`,
 * never on the message text.
 *
 * | code                   | meaning                                                                    |
 * | ---------------------- | -------------------------------------------------------------------------- |
 * | `invalid_option`       | an option or argument is missing, of the wrong type or out of range        |
 * | `invalid_key`          | key material is not 32 bytes (raw or base64)                                |
 * | `not_encrypted`        | decode got a value that is not an envelope and plaintext is not allowed    |
 * | `invalid_envelope`     | the value starts like an envelope (or a reference-format value) but is malformed or truncated |
 * | `unsupported_version`  | the envelope was written by a newer, unknown format version                |
 * | `unsupported_format`   | a reference-format value reached a codec that was not asked to read them   |
 * | `authentication_failed`| AES-GCM rejected the value: it was modified, or the key is wrong            |
 * | `unknown_key`          | the envelope names a key id the provider does not hold                     |
 * | `key_not_allowed`      | the envelope names a KMS key outside `allowedKeyIds`                        |
 * | `wrong_provider`       | the envelope was written by another kind of key provider                   |
 * | `provider_unavailable` | the key provider failed transiently (network, throttling); retry later      |
 * | `provider_error`       | the key provider refused (disabled key, access denied, bad ciphertext)      |
 * | `data_key_exhausted`   | no data key within its hard limits is available for encoding               |
 * | `codec_closed`         | the codec was closed                                                        |
 * | `unauthorized`         | the decode handler's `authorize` callback refused the request               |
 */
export const JOURNAL_ENCRYPTION_ERROR_CODES = [
  "invalid_option",
  "invalid_key",
  "not_encrypted",
  "invalid_envelope",
  "unsupported_version",
  "unsupported_format",
  "authentication_failed",
  "unknown_key",
  "key_not_allowed",
  "wrong_provider",
  "provider_unavailable",
  "provider_error",
  "data_key_exhausted",
  "codec_closed",
  "unauthorized",
] as const;

export type JournalEncryptionErrorCode = (typeof JOURNAL_ENCRYPTION_ERROR_CODES)[number];

/** Codes worth retrying later: the provider was unreachable or throttled, or no fresh data key yet. */
const RETRYABLE: ReadonlySet<JournalEncryptionErrorCode> = new Set(["provider_unavailable", "data_key_exhausted"]);

/**
 * The one error class of this package. Messages never contain key material or plaintext.
 *
 * @example
 * ```ts
 * try {
 *   await codec.decode(bytes);
 * } catch (error) {
 *   if (error instanceof JournalEncryptionError && error.code === "authentication_failed") {
 *     // the stored value was modified or the wrong key was used
 *   }
 * }
 * ```
 */
export class JournalEncryptionError extends Error {
  override readonly name = "JournalEncryptionError";
  readonly code: JournalEncryptionErrorCode;
  /** True for failures worth retrying later (the key provider was unreachable or throttled). */
  readonly retryable: boolean;

  constructor(code: JournalEncryptionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = RETRYABLE.has(code);
  }
}

/** Type guard that also narrows on a specific code. */
export function isJournalEncryptionError(
  error: unknown,
  code?: JournalEncryptionErrorCode,
): error is JournalEncryptionError {
  return error instanceof JournalEncryptionError && (code === undefined || error.code === code);
}
