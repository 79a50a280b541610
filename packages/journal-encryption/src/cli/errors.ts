/** Failures of the `restate-journal` commands themselves (library failures keep their own codes). */
export const JOURNAL_CLI_ERROR_CODES = [
  "missing_dependency",
  "unreadable_file",
  "findings",
  "incomplete",
  "invalid_value",
  "listen_failed",
] as const;

export type JournalCliErrorCode = (typeof JOURNAL_CLI_ERROR_CODES)[number];

/** Reported by the kit as `restate-journal: error [<code>]: <message>`, exit 1. */
export class JournalCliError extends Error {
  override readonly name = "JournalCliError";
  readonly retryable = false;
  constructor(
    readonly code: JournalCliErrorCode,
    message: string,
  ) {
    super(message);
  }
}
