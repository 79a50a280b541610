import type { DiscoveryFailure } from "./discovery.js";

/**
 * Every error this package throws is an `AdminClientError` with a stable `code`, so callers branch on
 * `error.code` rather than on message text. No error ever carries the bearer token: messages are built
 * from the method, the path and the server's own error text (with the token redacted should a proxy
 * echo it back), and request headers are never attached.
 */
export const ADMIN_CLIENT_ERROR_CODES = [
  "api_error",
  "network_error",
  "timeout",
  "not_ready",
  "incompatible_server",
  "invalid_option",
  "invalid_response",
  "redirect_refused",
  "discovery_failed",
  // Deployment lifecycle (plan/apply, prune, rollback): classes in src/lifecycle/errors.ts.
  "invalid_config",
  "missing_variable",
  "plan_stale",
  "apply_incomplete",
  "prune_incomplete",
  "rollback_refused",
] as const;

/** A closed union: branch on it, never on message text. */
export type AdminClientErrorCode = (typeof ADMIN_CLIENT_ERROR_CODES)[number];

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
  readonly code = "api_error" as const;
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
  readonly code = "network_error" as const;
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
  readonly code = "timeout" as const;
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
  readonly code = "not_ready" as const;
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
  readonly code = "incompatible_server" as const;
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

/** An option or argument was rejected before any request was sent; `option` names it. */
export class InvalidOptionError extends AdminClientError {
  readonly code = "invalid_option" as const;
  override readonly name = "InvalidOptionError";
  readonly retryable = false;
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`invalid ${option}: ${problem}`);
  }
}

/** The server answered 2xx with a body that is not what the admin API documents. */
export class InvalidResponseError extends AdminClientError {
  readonly code = "invalid_response" as const;
  override readonly name = "InvalidResponseError";
  readonly retryable = false;
  constructor(
    readonly operation: string,
    problem: string,
  ) {
    super(`${operation} returned an unexpected body: ${problem}`);
  }
}

/**
 * The admin API answered with a redirect this client does not follow: to another origin (which would
 * receive the token and secret headers, and for 307/308 the body), to an unreadable target, or too many
 * times. `targetOrigin` names where it pointed (`null` when unknown).
 */
export class AdminRedirectError extends AdminClientError {
  readonly code = "redirect_refused" as const;
  override readonly name = "AdminRedirectError";
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly targetOrigin: string | null,
    tooMany = false,
  ) {
    super(
      tooMany
        ? `${operation} was redirected too many times (last HTTP ${status} to ${targetOrigin})`
        : targetOrigin === null
          ? `${operation} answered HTTP ${status} with a redirect whose target cannot be read or used; not followed`
          : `${operation} answered HTTP ${status} redirecting to another origin, ${targetOrigin}; not followed, so the token and secret headers stay with the admin API (use that origin as the base URL if it is trusted)`,
    );
  }
}

/**
 * restate-server could not discover a deployment for a reason that retrying cannot fix: the deployment
 * answered 401, 403, 404, 415 or another non-transient status, or it speaks only HTTP/1.1 or only
 * HTTP/2 and was asked the other way. `hint` names the likely cause; `failure` is machine-readable.
 *
 * @example
 * catch (e) { if (e instanceof DiscoveryError && e.failure === "http1_only") retryWith({ useHttp11: true }); }
 */
export class DiscoveryError extends AdminClientError {
  readonly code = "discovery_failed" as const;
  override readonly name = "DiscoveryError";
  readonly retryable = false;
  /** HTTP status of the admin API's answer (500 in restate-server 1.7). */
  readonly status: number;
  /** The server's `restate_code`: META0003, or META0014 for an HTTP/1.1-only endpoint. */
  readonly restateCode: string | undefined;
  /** The server's own error message (the deployment's status, headers and body). */
  readonly serverMessage: string;
  readonly operation: string;
  constructor(
    cause: AdminApiError,
    /** Which kind of failure: `unauthorized`, `forbidden`, `not_found`, `http1_only`, … */
    readonly failure: DiscoveryFailure,
    /** What the deployment itself answered, when it answered. */
    readonly deploymentStatus: number | undefined,
    /** The likely cause, in words. */
    readonly hint: string,
  ) {
    super(
      `${cause.operation}: Restate could not discover the deployment; likely cause: ${hint}. Server said: ${cause.serverMessage}`,
    );
    this.status = cause.status;
    this.restateCode = cause.restateCode;
    this.serverMessage = cause.serverMessage;
    this.operation = cause.operation;
  }
}
