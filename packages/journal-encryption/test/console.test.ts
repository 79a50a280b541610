import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { createAccess, isLoopbackHost, loopbackHostHeaders, SESSION_COOKIE } from "../src/console/access.js";
import { escapeHtml, html, pathOf } from "../src/console/html.js";
import { safeNext } from "../src/console/pages/access.js";
import { filtersOf } from "../src/console/pages/invocations.js";
import { startConsole } from "../src/console/server.js";
import { valueHtml } from "../src/console/value-html.js";
import type { StateAdmin } from "../src/state/admin.js";
import { RUNS } from "./helpers.js";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("html", () => {
  it("escapes every interpolated string, so no stored text can open a tag, an attribute or an entity", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, "")).not.toContain("&");
        expect(html`<td title="${text}">${text}</td>`.text).toBe(`<td title="${escaped}">${escaped}</td>`);
      }),
      { numRuns: RUNS },
    );
    expect(html`<p>${"<script>alert(1)</script>"}</p>`.text).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    // Only html`` fragments pass through unescaped; a look-alike object does not.
    expect(html`${{ text: "<b>" } as unknown as string}`.text).toBe("[object Object]");
    expect(html`${html`<b>${"<i>"}</b>`}`.text).toBe("<b>&lt;i&gt;</b>");
    expect(escapeHtml(`&<>"'\``)).toBe("&amp;&lt;&gt;&quot;&#39;&#96;");
  });

  it("keeps a key with / ? # inside its own path segment", () => {
    expect(pathOf("objects", "Cart", "a/b?c#d")).toBe("/objects/Cart/a%2Fb%3Fc%23d");
  });

  it("renders a decrypted <script> value as text inside <pre>", () => {
    const out = valueHtml("input", {
      state: "decrypted",
      format: "envelope",
      provider: "local",
      keyId: 'k"1',
      value: { as: "text", text: "<script>x()</script>", length: 20 },
    }).text;
    expect(out).toContain("<pre>&lt;script&gt;x()&lt;/script&gt;</pre>");
    expect(out).toContain("local key k&quot;1");
    expect(out).not.toContain("<script>");
  });
});

describe("access", () => {
  it("without a token everything is open; with one, only the session cookie or the bearer token", () => {
    expect(createAccess(undefined).isAuthorized(request({}))).toBe(true);
    const token = "a-long-enough-access-token";
    const access = createAccess(token);
    expect(access.tokenRequired).toBe(true);
    expect(access.checkToken(token)).toBe(true);
    expect(access.checkToken(`${token} `)).toBe(false);
    expect(access.checkToken(undefined)).toBe(false);
    expect(access.checkToken("x".repeat(10_000))).toBe(false);
    expect(access.isAuthorized(request({}))).toBe(false);
    expect(access.isAuthorized(request({ authorization: `Bearer ${token}` }))).toBe(true);
    expect(access.isAuthorized(request({ authorization: `Basic ${token}` }))).toBe(false);
    const cookie = access.sessionCookie();
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    const session = cookie.split(";")[0] as string;
    expect(access.isAuthorized(request({ cookie: `other=1; ${session}` }))).toBe(true);
    expect(access.isAuthorized(request({ cookie: `${SESSION_COOKIE}=${token}` }))).toBe(false);
    // Each console process has its own session.
    expect(createAccess(token).isAuthorized(request({ cookie: session }))).toBe(false);
  });

  it("knows loopback, and which Host headers a loopback console answers to", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "10.0.0.1", "127.0.0.1.nip.io", "::", "128.0.0.1", "localhost.evil"]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
    expect([...loopbackHostHeaders("127.0.0.1", 9079)].sort()).toEqual([
      "127.0.0.1:9079",
      "[::1]:9079",
      "localhost:9079",
    ]);
  });

  it("after the token, goes back only to a local path", () => {
    expect(safeNext("/invocations/inv_1?x=1")).toBe("/invocations/inv_1?x=1");
    for (const next of [
      "//evil.example/",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "",
      null,
    ]) {
      expect(safeNext(next)).toBe("/");
    }
  });
});

describe("invocation filters", () => {
  it("keeps known statuses and printable filters; names what it ignores", () => {
    const url = new URL("http://x/?service=Cart&handler=add&key=o%27brien&status=suspended&page=3");
    expect(filtersOf(url)).toEqual({
      filters: { service: "Cart", handler: "add", key: "o'brien", status: "suspended" },
      page: 3,
      problems: [],
    });
    const bad = filtersOf(new URL("http://x/?status=DROP&key=a%00b&page=-1"));
    expect(bad.filters).toEqual({});
    expect(bad.page).toBe(1);
    expect(bad.problems).toEqual(["key filter ignored", "status filter ignored: not a known status"]);
  });
});

describe("built bundles (run `npm run build` first)", () => {
  const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
  /** Chunks reachable from an entry through static imports only. */
  function staticallyReachable(entry: string): string[] {
    const seen = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const match of readFileSync(dist(file), "utf8").matchAll(/(?:from\s*|^import\s*)["']\.\/([^"']+)["']/gm)) {
        queue.push(match[1] as string);
      }
    }
    return [...seen];
  }

  it("the console's server is loaded only by the console command, never by the codec or other commands", () => {
    expect(existsSync(dist("cli.js")), "dist/cli.js missing: build the package first").toBe(true);
    const consoleCode = (file: string) => readFileSync(dist(file), "utf8").includes("content-security-policy");
    for (const entry of ["index.js", "kms.js", "cli.js"]) {
      expect(staticallyReachable(entry).filter(consoleCode)).toEqual([]);
    }
    const cli = readFileSync(dist("cli.js"), "utf8");
    const lazy = [...cli.matchAll(/import\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1] as string);
    expect(lazy.some(consoleCode)).toBe(true);
  });
});

describe("restate-journal console flags", () => {
  async function attempt(args: string[], env: Record<string, string> = {}) {
    const err: string[] = [];
    const code = await run(["console", ...args], { stdout: () => {}, stderr: (t) => err.push(t), env });
    return { code, err: err.join("\n") };
  }

  it("refuses a non-loopback bind without --allow-remote, and without an access token", async () => {
    expect(await attempt(["--host", "0.0.0.0"])).toEqual({
      code: 2,
      err: expect.stringContaining("error [invalid_option]: --host 0.0.0.0 is not loopback"),
    });
    expect(await attempt(["--host", "10.1.2.3", "--allow-remote"])).toEqual({
      code: 2,
      err: expect.stringContaining("error [missing_option]: --host 10.1.2.3 needs an access token"),
    });
    expect(await attempt(["--host", "0.0.0.0", "--allow-remote"], { RESTATE_JOURNAL_CONSOLE_TOKEN: "short" })).toEqual({
      code: 2,
      err: expect.stringContaining("RESTATE_JOURNAL_CONSOLE_TOKEN must be at least 16 characters"),
    });
    expect(await attempt(["--port", "70000"])).toMatchObject({ code: 2, err: expect.stringContaining("--port") });
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const key = `k1=${Buffer.alloc(32, 7).toString("base64")}`;
      expect(await attempt(["--port", String(busy)], { RESTATE_JOURNAL_LOCAL_KEYS: key })).toEqual({
        code: 1,
        err: expect.stringContaining(
          `error [listen_failed]: --port ${busy} --host 127.0.0.1: 127.0.0.1:${busy} is already in use`,
        ),
      });
    } finally {
      blocker.close();
    }
    expect(await attempt(["--access-token-file", "/nonexistent/token"])).toMatchObject({
      code: 1,
      err: expect.stringContaining("error [unreadable_file]: --access-token-file /nonexistent/token"),
    });
  });
});

describe("the access token over HTTP", () => {
  const token = "a-long-enough-access-token";
  /** The pages are not under test here: an admin API with nothing stored. */
  const admin: StateAdmin = { query: async () => [], services: { modifyState: async () => undefined } };
  const keys = { providerFor: () => undefined };

  function send(url: string, method: string, headers: Record<string, string>, body?: string) {
    return new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  it("takes the login form only from the console's own page: not from a null origin or another port", async () => {
    const server = await startConsole({ admin, adminUrl: "http://admin.invalid", keys, accessToken: token });
    try {
      const login = (headers: Record<string, string>) =>
        send(
          `${server.url}/login`,
          "POST",
          { "content-type": "application/x-www-form-urlencoded", ...headers },
          `token=${token}&next=/`,
        );
      expect(await login({ origin: server.url, "sec-fetch-site": "same-origin" })).toBe(303);
      expect(await login({})).toBe(303); // not a browser: the token alone decides
      // A browser's own form under the no-referrer policy: Origin null, Sec-Fetch-Site same-origin.
      expect(await login({ origin: "null", "sec-fetch-site": "same-origin" })).toBe(303);
      expect(await login({ origin: "null" })).toBe(403); // a sandboxed frame or data: URL on any site
      expect(await login({ origin: "null", "sec-fetch-site": "cross-site" })).toBe(403);
      expect(await login({ origin: server.url, "sec-fetch-site": "same-site" })).toBe(403); // another port
      expect(await login({ origin: "http://127.0.0.1:1" })).toBe(403);
      expect(await login({ origin: `https://127.0.0.1:${server.port}` })).toBe(403);
    } finally {
      await server.close();
    }
  });

  it("answers wrong tokens one at a time; a flood is refused unchecked, even a right token inside it", async () => {
    const server = await startConsole({ admin, adminUrl: "http://admin.invalid", keys, accessToken: token });
    try {
      const guesses = Array.from({ length: 40 }, (_, i) =>
        send(`${server.url}/`, "GET", { authorization: `Bearer wrong-token-number-${i}` }),
      );
      // Sent while the wrong guesses wait: refused without being checked.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const right = await send(`${server.url}/`, "GET", { authorization: `Bearer ${token}` });
      const statuses = await Promise.all(guesses);
      expect(right).toBe(429);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      // Once the wrong guesses are answered, the right token opens the console at once.
      expect(await send(`${server.url}/`, "GET", { authorization: `Bearer ${token}` })).toBe(200);
    } finally {
      await server.close();
    }
  });
});
