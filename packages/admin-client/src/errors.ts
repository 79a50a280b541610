/**
 * Every error this package throws is an `AdminClientError` with a stable `code`, so callers branch on
 * `error.code` rather than on message text. No error ever carries the bearer token: messages are built
 * from the method, the path and the server's own error text (with the token redacted should a proxy
 * echo it back), and request headers are never attached.
 */
export type AdminClientErrorCode =
  | "ERR_ADMIN_API"
  | "ERR_NETWORK"
  | "ERR_TIMEOUT"
  | "ERR_NOT_READY"
  | "ERR_INCOMPATIBLE_SERVER"
  | "ERR_INVALID_ARGUMENT"
  | "ERR_INVALID_RESPONSE";

export abstract class AdminClientError extends Error {
  abstract readonly code: AdminClientErrorCode;
  /** Whether repeating the same request may succeed. */
  abstract readonly retryable: boolean;
}

/**
 * The admin API answered with a non-2xx status.
 *
 * @example
 * try { await admin.deployments.register({ uri }); }
 * catch (e) { if (e instanceof AdminApiError && e.status === 409) console.error(e.restateCode, e.message); }
 */
export class AdminApiError extends AdminClientError {
  readonly code = "ERR_ADMIN_API" as const;
  override readonly name = "AdminApiError";
  readonly retryable: boolean;
  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** The server's `restate_code` (e.g. `META0006`), when it sent one. */
    readonly restateCode: string | undefined,
    /** The server's own error message. */
    readonly serverMessage: string,
    /** e.g. `POST /v4/deployments`. */
    readonly operation: string,
    /** The server's `Retry-After`, in milliseconds, when it sent one in seconds form. */
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(`${operation} failed with HTTP ${status}${restateCode ? ` ${restateCode}` : ""}: ${serverMessage}`);
    this.retryable = status === 429 || status >= 500;
  }
}

/** The request never got an HTTP answer (connection refused, reset, DNS failure, TLS failure…). */
export class AdminNetworkError extends AdminClientError {
  readonly code = "ERR_NETWORK" as const;
  override readonly name = "AdminNetworkError";
  readonly retryable = true;
  constructor(
    readonly operation: string,
    reason: string,
    /** How many attempts were made before giving up. */
    readonly attempts = 1,
  ) {
    super(`${operation} failed: ${reason}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`);
  }
}

/** A single attempt took longer than `timeoutMs`, or the retry budget ran out. */
export class AdminTimeoutError extends AdminClientError {
  readonly code = "ERR_TIMEOUT" as const;
  override readonly name = "AdminTimeoutError";
  readonly retryable = true;
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    readonly attempts = 1,
  ) {
    super(
      `${operation} timed out after ${timeoutMs} ms${attempts > 1 ? ` (attempt ${attempts}, retry budget exhausted)` : ""}`,
    );
  }
}

/** `waitUntilReady` gave up: the server did not become healthy in time. */
export class AdminNotReadyError extends AdminClientError {
  readonly code = "ERR_NOT_READY" as const;
  override readonly name = "AdminNotReadyError";
  readonly retryable = true;
  constructor(
    readonly timeoutMs: number,
    lastProblem: string,
  ) {
    super(`the Restate admin API was not ready within ${timeoutMs} ms (last problem: ${lastProblem})`);
  }
}

/** The server's admin API versions and this client's do not overlap. */
export class IncompatibleServerError extends AdminClientError {
  readonly code = "ERR_INCOMPATIBLE_SERVER" as const;
  override readonly name = "IncompatibleServerError";
  readonly retryable = false;
  constructor(
    readonly serverVersion: string,
    readonly serverRange: readonly [number, number],
    readonly clientRange: readonly [number, number],
  ) {
    super(
      `restate-server ${serverVersion} supports admin API versions ${serverRange[0]}–${serverRange[1]}, this client supports ${clientRange[0]}–${clientRange[1]}`,
    );
  }
}

/** An argument was rejected before any request was sent. */
export class InvalidArgumentError extends AdminClientError {
  readonly code = "ERR_INVALID_ARGUMENT" as const;
  override readonly name = "InvalidArgumentError";
  readonly retryable = false;
  constructor(
    readonly argument: string,
    problem: string,
  ) {
    super(`invalid ${argument}: ${problem}`);
  }
}

/** The server answered 2xx with a body that is not what the admin API documents. */
export class InvalidResponseError extends AdminClientError {
  readonly code = "ERR_INVALID_RESPONSE" as const;
  override readonly name = "InvalidResponseError";
  readonly retryable = false;
  constructor(
    readonly operation: string,
    problem: string,
  ) {
    super(`${operation} returned an unexpected body: ${problem}`);
  }
}
