export const USAGE_ERROR_CODES = [
  "missing_command",
  "unknown_command",
  "unknown_option",
  "invalid_option",
  "missing_option",
  "missing_argument",
  "unexpected_argument",
  "conflicting_options",
] as const;

export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

/** The command line itself is wrong: exit code 2. The message names the flag or argument. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
  readonly retryable = false;
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `--flag <message>` as a usage error with code `invalid_option`. */
export function invalidFlag(flag: string, message: string): CliUsageError {
  return new CliUsageError("invalid_option", `--${flag} ${message}`);
}

/**
 * Runs a parser on a flag's value; a library error it throws (which names the library's option)
 * becomes a usage error naming the flag instead.
 */
export function parseFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw invalidFlag(flag, `is not valid: ${message}`);
  }
}
