import {
  AdminApiError,
  type AdminClientError,
  AdminNetworkError,
  AdminTimeoutError,
  InvalidOptionError,
  InvalidResponseError,
} from "./errors.js";
import { isSecretHeader, redactSecrets } from "./redact.js";
import { backoffDelay, parseRetryAfter, type ResolvedRetry } from "./retry.js";
import { chooseAdminApiVersion, type ServerVersionInfo } from "./version.js";

/** Reported before each retry; the CLI turns these into progress lines. Never contains the token. */
export interface RetryEvent {
  operation: string;
  /** Attempts made so far. */
  attempt: number;
  delayMs: number;
  error: AdminClientError;
}

export interface TransportConfig {
  baseUrl: URL;
  token: string | undefined;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  retry: ResolvedRetry;
  fetch: typeof globalThis.fetch;
  /** Pin an admin API version instead of negotiating it with `GET /version`. */
  adminApiVersion: number | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export interface RequestSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** Path below the admin API root, e.g. `/deployments`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Safe to repeat: retried on connection errors, timeouts, 429 and 5xx. */
  idempotent: boolean;
  /** `false` for `/health` and `/version`, which live outside the versioned prefix. Default true. */
  versioned?: boolean;
  /** `false` to skip reading a JSON body (e.g. 202 Accepted). Default true. */
  json?: boolean;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Transport {
  request<T>(spec: RequestSpec): Promise<Answer<T>>;
  /** The negotiated admin API version (negotiating on first use). */
  apiVersion(): Promise<number>;
}

/**
 * The one place that talks HTTP. The token lives only in this closure: it is put on the wire and
 * nowhere else, and any text coming back (a proxy may echo headers) is scrubbed of it.
 */
export function createTransport(config: TransportConfig): Transport {
  const secrets = [
    config.token,
    ...Object.entries(config.headers).map(([k, v]) => (isSecretHeader(k) ? v : undefined)),
  ].filter((s): s is string => typeof s === "string" && s.length > 0);
  const redact = (text: string) => redactSecrets(text, secrets);
  const root = config.baseUrl.href.replace(/\/+$/, "");
  let negotiated: Promise<number> | undefined;

  function apiVersion(): Promise<number> {
    if (config.adminApiVersion !== undefined) return Promise.resolve(config.adminApiVersion);
    negotiated ??= negotiate().catch((error: unknown) => {
      negotiated = undefined; // a failed negotiation is retried by the next call
      throw error;
    });
    return negotiated;
  }

  async function negotiate(): Promise<number> {
    const answer = await request<unknown>({ method: "GET", path: "/version", versioned: false, idempotent: true });
    const info = answer.body as Partial<ServerVersionInfo> | null;
    if (
      typeof info?.min_admin_api_version !== "number" ||
      typeof info.max_admin_api_version !== "number" ||
      typeof info.version !== "string"
    ) {
      throw new InvalidResponseError("GET /version", "missing min_admin_api_version/max_admin_api_version");
    }
    return chooseAdminApiVersion(info as ServerVersionInfo);
  }

  async function request<T>(spec: RequestSpec): Promise<Answer<T>> {
    const prefix = spec.versioned === false ? "" : `/v${await apiVersion()}`;
    const url = new URL(`${root}${prefix}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const operation = `${spec.method} ${url.pathname}${url.search}`;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce<T>(spec, url, operation, attempt);
      } catch (caught) {
        const error = caught as AdminClientError;
        if (!spec.idempotent || !error.retryable || attempt >= config.retry.maxAttempts) throw error;
        const retryAfter = error instanceof AdminApiError ? error.retryAfterMs : undefined;
        const delayMs = backoffDelay(attempt, config.retry, retryAfter);
        if (Date.now() - started + delayMs > config.retry.budgetMs) throw error;
        config.onRetry?.({ operation, attempt, delayMs, error });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async function attemptOnce<T>(spec: RequestSpec, url: URL, operation: string, attempt: number): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: "application/json", ...config.headers };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.timeoutMs);
    try {
      let response: Response;
      try {
        const fetchFunction = config.fetch;
        response = await fetchFunction(url, {
          method: spec.method,
          headers,
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: controller.signal,
        });
      } catch (error) {
        if (timedOut) throw new AdminTimeoutError(operation, config.timeoutMs, attempt);
        throw new AdminNetworkError(operation, redact(describeNetworkError(error)), attempt);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (timedOut) throw new AdminTimeoutError(operation, config.timeoutMs, attempt);
        throw new AdminNetworkError(operation, redact(describeNetworkError(error)), attempt);
      }
      if (!response.ok) {
        const { message, restateCode } = parseErrorBody(text, response.statusText);
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        throw new AdminApiError(
          response.status,
          restateCode && redact(restateCode),
          redact(message),
          operation,
          retryAfter,
        );
      }
      if (spec.json === false || text.trim() === "") {
        return { status: response.status, body: undefined as T, headers: response.headers };
      }
      try {
        return { status: response.status, body: JSON.parse(text) as T, headers: response.headers };
      } catch {
        throw new InvalidResponseError(operation, "not JSON");
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return { request, apiVersion };
}

function parseErrorBody(text: string, statusText: string): { message: string; restateCode: string | undefined } {
  try {
    const body = JSON.parse(text) as { message?: unknown; restate_code?: unknown };
    if (typeof body.message === "string") {
      return {
        message: body.message,
        restateCode: typeof body.restate_code === "string" ? body.restate_code : undefined,
      };
    }
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  const trimmed = text.trim().slice(0, 300);
  return { message: trimmed || statusText || "no message", restateCode: undefined };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.message === "string") return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Validates and normalises the admin base URL. */
export function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InvalidOptionError("baseUrl", "not an absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidOptionError("baseUrl", `expected http: or https:, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new InvalidOptionError("baseUrl", "credentials in the URL are not allowed; pass `token` instead");
  }
  if (url.search || url.hash) throw new InvalidOptionError("baseUrl", "must not contain a query or fragment");
  return url;
}
