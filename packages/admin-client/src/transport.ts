import { readBodyText } from "./body.js";
import {
  AdminApiError,
  type AdminClientError,
  AdminNetworkError,
  AdminRedirectError,
  AdminTimeoutError,
  InvalidOptionError,
  InvalidResponseError,
} from "./errors.js";
import type { HttpMethod, OperationOf, PathsWithMethod, RequestOptions, ResponseBody } from "./paths.js";
import { printable } from "./printable.js";
import { isSecretHeader, redactJwts, redactSecrets } from "./redact.js";
import { backoffDelay, parseRetryAfter, type ResolvedRetry } from "./retry.js";
import { segment } from "./validate.js";
import { chooseAdminApiVersion } from "./version.js";

/** Reported before each retry; the CLI turns these into progress lines. Never contains the token. */
export interface RetryEvent {
  operation: string;
  /** Attempts made so far. */
  attempt: number;
  delayMs: number;
  error: AdminClientError;
  /** The admin API base URL that failed. */
  baseUrl: string;
  /** The base URL the next attempt goes to (another node after a connection error or 5xx). */
  nextBaseUrl: string;
}

export interface TransportConfig {
  /** One admin API per node; the first is tried first. */
  baseUrls: readonly URL[];
  token: string | undefined;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Largest success body read; a longer one fails with `invalid_response`. */
  maxResponseBytes: number;
  retry: ResolvedRetry;
  fetch: typeof globalThis.fetch;
  /** Pin an admin API version instead of negotiating it with `GET /version`. */
  adminApiVersion: number | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
  /** The admin API base URL (node) that answered. */
  baseUrl: string;
}

export interface Transport {
  /**
   * One admin API operation, typed by its path literal and method from the generated `paths`.
   *
   * @example
   * const { body } = await transport.request("get", "/deployments/{deployment}", { path: { deployment: id }, idempotent: true });
   */
  request<M extends HttpMethod, P extends PathsWithMethod<M>>(
    method: M,
    path: P,
    options: RequestOptions<OperationOf<P, M>>,
  ): Promise<Answer<ResponseBody<OperationOf<P, M>>>>;
  /** The negotiated admin API version (negotiating on first use). */
  apiVersion(): Promise<number>;
  /** The base URL the next request goes to first: the node that answered last. */
  activeBaseUrl(): string;
}

/** Paths served outside the versioned `/v<N>` prefix. */
const UNVERSIONED: ReadonlySet<string> = new Set(["/health", "/version"]);
const MAX_REDIRECTS = 5;
/** How much of a non-JSON error body ends up in a message (after redaction). */
const MAX_ERROR_TEXT = 300;
/** How much of the server's JSON error `message` ends up in an error (after redaction). */
const MAX_SERVER_MESSAGE = 4000;
/** How much of an error answer is read at all: enough for any message the server writes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

interface Wire {
  method: string;
  /** Path below the base URL, with the version prefix and query. */
  target: string;
  body: string | undefined;
  idempotent: boolean;
  json: boolean;
  timeoutMs: number;
  mapError: ((error: AdminClientError) => AdminClientError) | undefined;
}

/**
 * The one place that talks HTTP. The token lives only in this closure: it is put on the wire and
 * nowhere else, and any text coming back (a proxy may echo headers) is scrubbed of it before it is cut.
 */
export function createTransport(config: TransportConfig): Transport {
  if (config.baseUrls.length === 0) throw new InvalidOptionError("baseUrl", "give at least one URL");
  const secrets = [
    config.token,
    ...Object.entries(config.headers).map(([k, v]) => (isSecretHeader(k) ? v : undefined)),
  ].filter((s): s is string => typeof s === "string" && s.length > 0);
  const redact = (text: string) => redactSecrets(text, secrets);
  const roots = config.baseUrls.map((url) => url.href.replace(/\/+$/, ""));
  let active = 0;
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
    const answer = await request("get", "/version", { idempotent: true });
    const info = answer.body as Partial<typeof answer.body> | null;
    const min = info?.min_admin_api_version;
    const max = info?.max_admin_api_version;
    // The version becomes the path prefix (`/v<N>`): only an integer may.
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || typeof info?.version !== "string") {
      throw new InvalidResponseError("GET /version", "min_admin_api_version/max_admin_api_version must be integers");
    }
    return chooseAdminApiVersion({
      version: info.version,
      min_admin_api_version: min as number,
      max_admin_api_version: max as number,
    });
  }

  async function request<M extends HttpMethod, P extends PathsWithMethod<M>>(
    method: M,
    path: P,
    options: RequestOptions<OperationOf<P, M>>,
  ): Promise<Answer<ResponseBody<OperationOf<P, M>>>> {
    const loose = options as {
      path?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
      idempotent: boolean;
      json?: boolean;
      timeoutMs?: number;
      mapError?: (error: AdminClientError) => AdminClientError;
    };
    const filled = fillPath(path, loose.path);
    const prefix = UNVERSIONED.has(path) ? "" : `/v${await apiVersion()}`;
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(loose.query ?? {})) {
      if (value !== undefined && value !== null) search.set(key, queryValue(value));
    }
    const query = search.size > 0 ? `?${search}` : "";
    const wire: Wire = {
      method: method.toUpperCase(),
      target: `${prefix}${filled}${query}`,
      body: loose.body === undefined ? undefined : JSON.stringify(loose.body),
      idempotent: loose.idempotent,
      json: loose.json !== false,
      timeoutMs: Math.min(config.timeoutMs, loose.timeoutMs ?? config.timeoutMs),
      mapError: loose.mapError,
    };
    return (await send(wire)) as Answer<ResponseBody<OperationOf<P, M>>>;
  }

  async function send(wire: Wire): Promise<Answer<unknown>> {
    const operation = `${wire.method} ${wire.target}`;
    const started = Date.now();
    // Every node gets a chance within the budget, even with fewer attempts configured.
    const maxAttempts =
      config.retry.maxAttempts > 1 ? Math.max(config.retry.maxAttempts, roots.length) : config.retry.maxAttempts;
    let sinceCycleStart = 0;
    for (let attempt = 1; ; attempt++) {
      const node = active;
      try {
        return await attemptOnce(wire, node, operation, attempt);
      } catch (caught) {
        const error = wire.mapError ? wire.mapError(caught as AdminClientError) : (caught as AdminClientError);
        // A connection error, timeout or 5xx may be this node alone: the next attempt (or the next call,
        // e.g. waitUntilReady's next probe) goes to the next node.
        if (roots.length > 1 && nodeUnavailable(error) && active === node) active = (node + 1) % roots.length;
        if (!wire.idempotent || !error.retryable || attempt >= maxAttempts) throw error;
        sinceCycleStart++;
        // Trying another node of the cluster needs no pause; a full round over all of them does.
        const firstRound = active !== node && sinceCycleStart < roots.length;
        if (!firstRound) sinceCycleStart = 0;
        const retryAfter = error instanceof AdminApiError ? error.retryAfterMs : undefined;
        const delayMs = firstRound ? 0 : backoffDelay(attempt, config.retry, retryAfter);
        if (Date.now() - started + delayMs > config.retry.budgetMs) throw error;
        config.onRetry?.({
          operation,
          attempt,
          delayMs,
          error,
          baseUrl: roots[node] as string,
          nextBaseUrl: roots[active] as string,
        });
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async function attemptOnce(wire: Wire, node: number, operation: string, attempt: number): Promise<Answer<unknown>> {
    const root = roots[node] as string;
    const headers: Record<string, string> = { accept: "application/json", ...config.headers };
    if (wire.body !== undefined) headers["content-type"] = "application/json";
    if (config.token !== undefined) headers.authorization = `Bearer ${config.token}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, wire.timeoutMs);
    try {
      let url = new URL(`${root}${wire.target}`);
      let method = wire.method;
      let body = wire.body;
      let response: Response;
      for (let hops = 0; ; hops++) {
        try {
          const fetchFunction = config.fetch;
          // Redirects are followed here, not by fetch: only within the same origin, so the token and
          // secret headers never reach another host.
          response = await fetchFunction(url, { method, headers, body, signal: controller.signal, redirect: "manual" });
        } catch (error) {
          if (timedOut) throw new AdminTimeoutError(operation, wire.timeoutMs, attempt);
          throw new AdminNetworkError(operation, printable(redact(describeNetworkError(error, url))), attempt);
        }
        const next = redirectTarget(response, url);
        if (next === undefined) break;
        await response.body?.cancel().catch(() => undefined);
        if (next === null || next.origin !== url.origin) {
          throw new AdminRedirectError(operation, response.status, next === null ? null : next.origin);
        }
        if (hops + 1 >= MAX_REDIRECTS) throw new AdminRedirectError(operation, response.status, next.origin, true);
        // As fetch does: 303 (and 301/302 after a POST) become a GET without a body; 307/308 keep both.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          delete headers["content-type"];
        }
        url = next;
      }
      let text: string;
      let truncated: boolean;
      try {
        ({ text, truncated } = await readBodyText(
          response,
          response.ok ? config.maxResponseBytes : MAX_ERROR_BODY_BYTES,
        ));
      } catch (error) {
        if (timedOut) throw new AdminTimeoutError(operation, wire.timeoutMs, attempt);
        throw new AdminNetworkError(operation, printable(redact(describeNetworkError(error))), attempt);
      }
      if (!response.ok) {
        const { message, restateCode } = parseErrorBody(text, response.statusText, redact);
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        throw new AdminApiError(response.status, restateCode, message, operation, retryAfter);
      }
      active = node;
      if (truncated) {
        throw new InvalidResponseError(operation, `body larger than maxResponseBytes (${config.maxResponseBytes})`);
      }
      if (!wire.json || text.trim() === "") {
        return { status: response.status, body: undefined, headers: response.headers, baseUrl: root };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new InvalidResponseError(operation, "not JSON");
      }
      // Every admin API answer with content is a JSON object; anything else is not the admin API.
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new InvalidResponseError(operation, "not a JSON object");
      }
      return { status: response.status, body: parsed, headers: response.headers, baseUrl: root };
    } finally {
      clearTimeout(timer);
    }
  }

  return { request, apiVersion, activeBaseUrl: () => roots[active] as string };
}

/**
 * The array an admin API list answer keeps under `field` (`{ "services": [...] }`), checked: a server
 * that answers something else fails with `invalid_response` rather than handing back `undefined`.
 *
 * @example
 * const services = listField(answer.body, "services", "GET /services");
 */
export function listField<B, K extends keyof B & string>(body: B, field: K, operation: string): B[K] {
  if (!Array.isArray((body as Record<string, unknown> | undefined)?.[field])) {
    throw new InvalidResponseError(operation, `missing \`${field}\` array`);
  }
  return body[field];
}

/** Whether the failure says nothing about the request, only that this node could not serve it. */
function nodeUnavailable(error: AdminClientError): boolean {
  if (error instanceof AdminApiError) return error.status >= 500;
  return error instanceof AdminNetworkError || error instanceof AdminTimeoutError;
}

/**
 * Where a 3xx answer points: `undefined` for an answer that is not a redirect, `null` for a redirect
 * whose target cannot be read or used (a browser's opaque redirect, a missing or malformed `Location`, a
 * scheme other than http/https, credentials in the target).
 */
function redirectTarget(response: Response, from: URL): URL | null | undefined {
  if (response.type === "opaqueredirect") return null;
  if (![301, 302, 303, 307, 308].includes(response.status)) return undefined;
  const location = response.headers.get("location");
  if (location === null) return null;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return null;
  }
  // `blob:http://same-origin/…` has the same origin but is no HTTP request; credentials in the target
  // would be the server's choice of what the client authenticates as.
  if ((target.protocol !== "http:" && target.protocol !== "https:") || target.username || target.password) return null;
  return target;
}

/**
 * One query parameter's text. The document describes some parameters as Rust enums (`"Latest"` or
 * `{ Id: "dp_…" }`); on the wire an untagged variant is its inner value.
 */
function queryValue(value: unknown): string {
  if (typeof value === "object" && value !== null) {
    const inner = Object.values(value);
    if (inner.length === 1 && typeof inner[0] === "string") return inner[0];
  }
  return String(value);
}

/** Fills `{name}` placeholders with validated, encoded path segments. */
function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => segment(name, params?.[name]));
}

/** The server's error text: its JSON `message`, or the raw body; secrets are removed before it is cut. */
export function parseErrorBody(
  text: string,
  statusText: string,
  redact: (text: string) => string,
): { message: string; restateCode: string | undefined } {
  try {
    const body = JSON.parse(text) as { message?: unknown; restate_code?: unknown };
    if (typeof body.message === "string") {
      const code = typeof body.restate_code === "string" ? cut(clean(body.restate_code), 64) : undefined;
      return { message: cut(clean(body.message), MAX_SERVER_MESSAGE) || clean(statusText), restateCode: code };
    }
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  return { message: cut(clean(text), MAX_ERROR_TEXT) || clean(statusText) || "no message", restateCode: undefined };

  /** Secrets out first (a cut must not leave a prefix), then control characters escaped. */
  function clean(raw: string): string {
    return printable(redactJwts(redact(raw))).trim();
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describeNetworkError(error: unknown, url?: URL): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  // fetch refuses some ports outright (6000, 10080, …: the Fetch standard's "bad ports") and says only "bad port".
  if (cause?.message === "bad port" && url !== undefined) {
    return `fetch refuses to connect to port ${url.port} (on the Fetch standard's list of blocked ports); serve the admin API on another port`;
  }
  if (cause && typeof cause.message === "string") return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Validates and normalises one admin base URL. */
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
  // `href`, not `search`/`hash`: an empty query or fragment (`http://host/?`) reads as "" there, yet every
  // request path would be appended after the `?` or `#`.
  if (/[?#]/.test(url.href)) throw new InvalidOptionError("baseUrl", "must not contain a query or fragment");
  return url;
}
