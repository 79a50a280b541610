/** Every code a {@link ConfigError} can carry; the union type is derived from this list. */
export const CONFIG_ERROR_CODES = [
  "missing_identity_keys",
  "invalid_identity_keys",
  "missing_journal_keys",
  "invalid_journal_keys",
  "unknown_active_key",
  "ambiguous_journal_keys",
  "unreadable_key_file",
  "unsupported_setting",
  "missing_setting",
  "invalid_setting",
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/**
 * A setting is missing or malformed. `variable` names the environment variable to fix; the message
 * names it and, for lists, the position of the bad entry, never a value (a mistyped entry may be a
 * secret), so it is safe to log.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Configuration does not fix itself: retrying with the same environment fails the same way. */
  readonly retryable = false;
  constructor(
    readonly code: ConfigErrorCode,
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
