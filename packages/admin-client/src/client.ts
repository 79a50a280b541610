import { AdminClientError, AdminNotReadyError, InvalidOptionError, InvalidResponseError } from "./errors.js";
import { type DeploymentsApi, deploymentsApi } from "./operations/deployments.js";
import { type InvocationsApi, invocationsApi } from "./operations/invocations.js";
import { type ServicesApi, servicesApi } from "./operations/services.js";
import { type SubscriptionsApi, subscriptionsApi } from "./operations/subscriptions.js";
import { MAX_TIMER_MS, type RetryOptions, resolveRetry } from "./retry.js";
import { createTransport, parseBaseUrl, type RetryEvent } from "./transport.js";
import type { VersionInformation } from "./types.js";
import { invalidHeaderName, isHeaderName } from "./validate.js";

export interface AdminClientOptions {
  /**
   * Admin API root, e.g. `http://localhost:9070` or `restateCloudEndpoints(…).adminUrl`; or the admin
   * APIs of several nodes of one cluster, tried in order: after a connection error, a timeout or a 5xx
   * the next attempt goes to the next node, within the same retry budget.
   */
  baseUrl: string | readonly string[];
  /** Bearer token (a Restate Cloud API key, or what your proxy expects). Never logged or put in errors. */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * Largest response body read, in bytes; a longer answer fails with `invalid_response` instead of
   * filling memory. Error answers are read up to 64 KiB. Default 64 MiB.
   */
  maxResponseBytes?: number;
  /** Retry policy for idempotent operations and registration, or `false` for none. */
  retry?: RetryOptions | false;
  /** A `fetch` implementation. Default: the platform's `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Use this admin API version instead of negotiating it via `GET /version`. */
  adminApiVersion?: number;
  /** Called before each retry (with the node that failed and the next one), e.g. to print progress. */
  onRetry?: (event: RetryEvent) => void;
}

export interface WaitUntilReadyOptions {
  /** Give up after this long. Default 60 000 ms. */
  timeoutMs?: number;
  /** Called after each failed probe with the problem and the time waited so far. */
  onWaiting?: (info: { elapsedMs: number; problem: string }) => void;
}

export interface AdminClient {
  /** `GET /health`: resolves when the admin API answers 200. */
  health(): Promise<void>;
  /** `GET /version`: server version and supported admin API versions. */
  version(): Promise<VersionInformation>;
  /** The admin API version this client negotiated with the server (highest supported by both). */
  apiVersion(): Promise<number>;
  /**
   * Polls `/health` until the admin API is up, then negotiates the API version.
   *
   * @example
   * await admin.waitUntilReady({ timeoutMs: 60_000 });
   */
  waitUntilReady(options?: WaitUntilReadyOptions): Promise<void>;
  /**
   * Runs SQL against Restate's introspection tables (`sys_invocation`, `sys_service`, …).
   *
   * @example
   * const rows = await admin.query<{ id: string; status: string }>("SELECT id, status FROM sys_invocation");
   */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  readonly deployments: DeploymentsApi;
  readonly services: ServicesApi;
  readonly invocations: InvocationsApi;
  readonly subscriptions: SubscriptionsApi;
  /** The admin base URL that answered last (with several nodes: the one requests go to first). */
  readonly activeBaseUrl: string;
}

/**
 * Creates a typed client of Restate's admin API (port 9070). Only needs the platform `fetch`.
 *
 * @example
 * import { createAdminClient } from "@restate-connect/admin-client";
 * const admin = createAdminClient({ baseUrl: "http://localhost:9070" });
 * await admin.waitUntilReady();
 * const { id } = await admin.deployments.register({ uri: "http://localhost:9080" });
 * console.log(id, (await admin.services.list()).map((s) => s.name));
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "expected an object");
  const baseUrls = parseBaseUrls(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS)
    throw new InvalidOptionError("timeoutMs", `must be a positive number of at most ${MAX_TIMER_MS} ms`);
  if (
    options.token !== undefined &&
    (typeof options.token !== "string" ||
      options.token === "" ||
      !/^[\u0020-\u007e\u0080-\u00ff]+$/.test(options.token))
  ) {
    // Checked here, not left to fetch: fetch's own message would quote the value, on every retry.
    throw new InvalidOptionError("token", "must be a non-empty string of printable characters (no line breaks)");
  }
  const headers = wireHeaders(options.headers, options.token !== undefined);
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new InvalidOptionError("maxResponseBytes", "must be a positive integer");
  }
  const customFetch = options.fetch;
  if (customFetch !== undefined && typeof customFetch !== "function")
    throw new InvalidOptionError("fetch", "not a function");
  if (customFetch === undefined && typeof globalThis.fetch !== "function") {
    throw new InvalidOptionError("fetch", "no fetch implementation available");
  }
  // Never call fetch as a method of another object: workerd rejects a `this` that is not the global scope.
  const fetchImpl: typeof globalThis.fetch = customFetch ?? ((input, init) => globalThis.fetch(input, init));
  if (options.adminApiVersion !== undefined && !Number.isInteger(options.adminApiVersion)) {
    throw new InvalidOptionError("adminApiVersion", "must be an integer");
  }
  let retry: ReturnType<typeof resolveRetry>;
  try {
    retry = resolveRetry(options.retry);
  } catch (error) {
    throw new InvalidOptionError("retry", (error as Error).message);
  }
  const config = {
    baseUrls,
    token: options.token,
    headers,
    timeoutMs,
    maxResponseBytes,
    retry,
    fetch: fetchImpl,
    adminApiVersion: options.adminApiVersion,
    onRetry: options.onRetry,
  };
  const transport = createTransport(config);
  // Health probes while waiting must not retry on their own: waitUntilReady owns the schedule.
  const probe = createTransport({ ...config, retry: resolveRetry(false) });

  const query = async <Row>(sql: string): Promise<Row[]> => {
    if (typeof sql !== "string" || sql.trim() === "") throw new InvalidOptionError("sql", "must be a non-empty string");
    // Introspection queries only read: safe to repeat. The document types the answer as `unknown`.
    const answer = await transport.request("post", "/query", { body: { query: sql }, idempotent: true });
    const rows = (answer.body as { rows?: unknown } | undefined)?.rows;
    if (!Array.isArray(rows)) throw new InvalidResponseError("POST /query", "missing `rows` array");
    return rows as Row[];
  };

  return {
    async health() {
      await transport.request("get", "/health", { idempotent: true, json: false });
    },
    async version() {
      return (await transport.request("get", "/version", { idempotent: true })).body;
    },
    apiVersion: () => transport.apiVersion(),
    async waitUntilReady(waitOptions = {}) {
      const budget = waitOptions.timeoutMs ?? 60_000;
      // NaN would never run out: the wait would poll forever.
      if (typeof budget !== "number" || !(budget > 0 && budget <= MAX_TIMER_MS)) {
        throw new InvalidOptionError("timeoutMs", `must be a positive number of at most ${MAX_TIMER_MS} ms`);
      }
      const started = Date.now();
      let delay = 100;
      for (;;) {
        let problem: string;
        try {
          // A probe never outlives the wait: a server that accepts and never answers must not hold
          // waitUntilReady for the client's whole per-request timeout.
          const remaining = Math.max(1, budget - (Date.now() - started));
          await probe.request("get", "/health", { idempotent: true, json: false, timeoutMs: remaining });
          await transport.apiVersion();
          return;
        } catch (error) {
          if (!(error instanceof AdminClientError) || !error.retryable) throw error;
          problem = error.message;
        }
        const elapsedMs = Date.now() - started;
        if (elapsedMs + delay > budget) throw new AdminNotReadyError(budget, problem);
        waitOptions.onWaiting?.({ elapsedMs, problem });
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2000);
      }
    },
    query,
    deployments: deploymentsApi(transport, query),
    services: servicesApi(transport),
    invocations: invocationsApi(transport),
    subscriptions: subscriptionsApi(transport),
    get activeBaseUrl() {
      return transport.activeBaseUrl();
    },
  };
}

function parseBaseUrls(baseUrl: string | readonly string[]): URL[] {
  if (typeof baseUrl === "string") return [parseBaseUrl(baseUrl)];
  if (!Array.isArray(baseUrl) || baseUrl.length === 0) {
    throw new InvalidOptionError("baseUrl", "expected a URL or a non-empty array of URLs");
  }
  const urls = baseUrl.map((url) => parseBaseUrl(url));
  // Compared as requests address them: `http://h/admin` and `http://h/admin/` are one node.
  if (new Set(urls.map((url) => url.href.replace(/\/+$/, ""))).size !== urls.length) {
    throw new InvalidOptionError("baseUrl", "lists the same URL twice");
  }
  return urls;
}

/**
 * The extra headers as they go on the wire, checked before anything is sent (fetch would refuse them
 * on every attempt, quoting the value). Errors name the header, never its value.
 */
function wireHeaders(headers: Record<string, string> | undefined, withToken: boolean): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== "object" || headers === null) throw new InvalidOptionError("headers", "expected an object");
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) throw new InvalidOptionError("headers", invalidHeaderName(name));
    if (typeof value !== "string" || !/^[\t\u0020-\u007e\u0080-\u00ff]*$/.test(value)) {
      throw new InvalidOptionError("headers", `the value of "${name}" must be a string of printable characters`);
    }
    if (withToken && name.toLowerCase() === "authorization") {
      throw new InvalidOptionError("headers", "authorization is set from `token`; give one of them");
    }
  }
  return { ...headers };
}
