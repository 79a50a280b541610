export type ExampleConfigErrorCode = "missing_setting" | "invalid_setting";

/** A deployment setting (environment variable or CDK context value) is missing or malformed. */
export class ExampleConfigError extends Error {
  readonly code: ExampleConfigErrorCode;
  constructor(code: ExampleConfigErrorCode, message: string) {
    super(message);
    this.name = "ExampleConfigError";
    this.code = code;
  }
}

/**
 * The first journal data key was not ready in time at a cold start (KMS unreachable, throttled or
 * refusing). The invocation attempt fails and Restate retries it; nothing is lost.
 */
export class JournalKeyUnavailableError extends Error {
  readonly code = "journal_key_unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JournalKeyUnavailableError";
  }
}
