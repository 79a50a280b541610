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
