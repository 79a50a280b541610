/**
 * The console's HTTP server (node:http, no framework): routing, access, headers, streaming.
 * Every response is `no-store` under a Content-Security-Policy that allows no script at all and
 * styles only from the console itself; decryption happens here, never in the browser.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { JournalEncryptionError } from "../errors.js";
import { type KeySource, sessionKeys } from "../show/session-keys.js";
import type { StateAdmin } from "../state/admin.js";
import { type Access, createAccess, isLoopbackHost, loopbackHostHeaders } from "./access.js";
import { html } from "./html.js";
import { errorBox, pageEnd, pageStart, progressLine } from "./layout.js";
import type { Page, PageHandler } from "./page.js";
import { accessPage, safeNext } from "./pages/access.js";
import { invocationPage } from "./pages/invocation.js";
import { invocationsPage } from "./pages/invocations.js";
import { keysPage } from "./pages/keys.js";
import { objectPage, objectsPage } from "./pages/objects.js";
import { CONSOLE_CSS } from "./styles.js";
import { createGuessThrottle } from "./throttle.js";

export interface ConsoleOptions {
  /** The admin client the pages read through (SQL; `auditState` for the key report). */
  admin: StateAdmin;
  /** Shown in the page header. */
  adminUrl: string;
  /** The keys values are opened with; they stay in this process. */
  keys: KeySource;
  /** Default `127.0.0.1`. Anything but loopback needs `allowRemote` and `accessToken`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Required for a non-loopback bind; optional on loopback. */
  accessToken?: string;
  /** Explicit consent to bind beyond loopback. */
  allowRemote?: boolean;
  /** Called with failures of page rendering (the page shows them too). */
  onError?: (error: unknown) => void;
}

export interface ConsoleServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

interface Route {
  readonly prefix: string;
  readonly exact: boolean;
  readonly title: string;
  readonly handler: PageHandler;
}

const ROUTES: readonly Route[] = [
  { prefix: "/", exact: true, title: "Invocations", handler: invocationsPage },
  { prefix: "/invocations/", exact: false, title: "Invocation", handler: invocationPage },
  { prefix: "/objects", exact: true, title: "Objects", handler: objectsPage },
  { prefix: "/objects/", exact: false, title: "Object", handler: objectPage },
  { prefix: "/keys", exact: true, title: "Key report", handler: keysPage },
];

function invalid(message: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_option", message);
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  response.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...extra });
  response.end(body);
}

async function readForm(request: IncomingMessage, limit = 8192): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** The host of an Origin header, or undefined when it is not a URL (Node 20 has no `URL.parse`). */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * A login form posted by this console's own page. Browsers say where a request comes from in
 * Sec-Fetch-Site: only `same-origin` is taken (not another site, nor `same-site`: another port of
 * this host). Under this console's `no-referrer` policy a browser sends `Origin: null` with its own
 * form, so `null` is taken only with `same-origin`; without Sec-Fetch-Site it is refused, as any
 * site's sandboxed frame or data: URL can post with it. A client that sends neither header is
 * not a browser: the token alone decides.
 */
function fromThisConsole(request: IncomingMessage): boolean {
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === "null") return fetchSite === "same-origin";
  return origin.startsWith("http://") && hostOf(origin) === String(request.headers.host ?? "").toLowerCase();
}

function describeFailure(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown })?.code;
  return {
    code: typeof code === "string" && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(code) ? code : "internal_error",
    message: error instanceof Error ? error.message : "unexpected failure",
  };
}

/**
 * Starts the console and resolves once it listens.
 *
 * @example
 * ```ts
 * const console = await startConsole({ admin, adminUrl, keys: keyRing });
 * process.stdout.write(`open ${console.url}\n`);
 * ```
 */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopbackHost(host);
  if (!loopback && options.allowRemote !== true) {
    throw invalid(
      `binding to ${host} exposes decrypted data beyond this machine: it needs allowRemote and an access token`,
    );
  }
  if (options.accessToken !== undefined && options.accessToken.length < 16) {
    throw invalid("the access token must be at least 16 characters");
  }
  if (!loopback && options.accessToken === undefined) {
    throw invalid(`binding to ${host} needs an access token`);
  }
  const access: Access = createAccess(options.accessToken);
  const throttle = createGuessThrottle();
  let allowedHosts: Set<string> | undefined;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? "GET";
    if (allowedHosts !== undefined && !allowedHosts.has(String(request.headers.host ?? "").toLowerCase())) {
      send(response, 421, "text/plain; charset=utf-8", "This console answers only to its loopback address.\n");
      return;
    }
    const url = new URL(request.url ?? "/", "http://console.invalid");
    if (url.pathname === "/console.css" && (method === "GET" || method === "HEAD")) {
      send(response, 200, "text/css; charset=utf-8", CONSOLE_CSS);
      return;
    }
    const layout = { adminUrl: options.adminUrl };
    if (url.pathname === "/login" && method === "POST") {
      if (!fromThisConsole(request)) {
        send(response, 403, "text/plain; charset=utf-8", "Cross-origin form refused.\n");
        return;
      }
      if (throttle.busy) {
        send(response, 429, "text/plain; charset=utf-8", "Too many wrong tokens; try again shortly.\n");
        return;
      }
      const form = await readForm(request);
      const next = safeNext(form?.get("next"));
      if (form !== undefined && access.checkToken(form.get("token") ?? undefined)) {
        response.writeHead(303, {
          ...SECURITY_HEADERS,
          location: next,
          ...(access.tokenRequired ? { "set-cookie": access.sessionCookie() } : {}),
        });
        response.end();
        return;
      }
      await throttle.wrongGuess();
      const body =
        pageStart({ ...layout, title: "Access token", navigation: false }).text +
        accessPage(next, true).text +
        pageEnd().text;
      send(response, 401, "text/html; charset=utf-8", body);
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      send(response, 405, "text/plain; charset=utf-8", "Method not allowed.\n", { allow: "GET, HEAD" });
      return;
    }
    const guessing = access.carriesToken(request);
    if (guessing && throttle.busy) {
      send(response, 429, "text/plain; charset=utf-8", "Too many wrong tokens; try again shortly.\n");
      return;
    }
    if (!access.isAuthorized(request)) {
      if (guessing) await throttle.wrongGuess();
      const next = url.pathname + url.search;
      const body =
        pageStart({ ...layout, title: "Access token", navigation: false }).text +
        accessPage(next, false).text +
        pageEnd().text;
      send(response, 401, "text/html; charset=utf-8", body);
      return;
    }
    const route = ROUTES.find((r) => (r.exact ? url.pathname === r.prefix : url.pathname.startsWith(r.prefix)));
    if (route === undefined) {
      const body =
        pageStart({ ...layout, title: "Not found", navigation: true }).text +
        html`<h1>Not found</h1>`.text +
        pageEnd().text;
      send(response, 404, "text/html; charset=utf-8", body);
      return;
    }
    let params: string[];
    try {
      params = route.exact ? [] : url.pathname.slice(route.prefix.length).split("/").map(decodeURIComponent);
    } catch {
      params = [];
    }
    let started = false;
    const start = (status: number, title: string) => {
      if (started) return;
      started = true;
      response.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" });
      response.write(pageStart({ ...layout, title, navigation: true }).text);
    };
    const keys = sessionKeys(options.keys);
    let page: Page;
    try {
      page = await route.handler({
        url,
        params,
        admin: options.admin,
        keys,
        progress: (text) => {
          start(200, route.title);
          response.write(progressLine(text).text);
        },
      });
    } catch (error) {
      options.onError?.(error);
      const { code, message } = describeFailure(error);
      page = {
        title: "Error",
        status: 502,
        body: html`<h1>${route.title}</h1>${errorBox(code, message)}<p class="muted">Reading from ${options.adminUrl} failed; reload to try again.</p>`,
      };
    } finally {
      keys.close();
    }
    start(page.status ?? 200, page.title);
    response.end(page.body.text + pageEnd().text);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", "Internal error.\n");
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  if (loopback) allowedHosts = loopbackHostHeaders(host, port);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
