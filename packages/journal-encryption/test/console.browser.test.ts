/**
 * The console in a real browser: Debian's chromium (`/usr/bin/chromium`, apt package `chromium`)
 * driven by playwright-core, against restate-server 1.7.12 and the console started as the built CLI
 * (`node dist/cli.js console`). Screenshots go to a temporary directory printed below.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type ManagedProcess, spawnManaged } from "@restate-connect/testkit";
import { type Browser, type BrowserServer, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole } from "../src/console/server.js";
import { localKeyProvider } from "../src/index.js";
import {
  MARKUP_OBJECT_KEY,
  MARKUP_STATE_KEY,
  SCRIPT_VALUE,
  type ShowScenario,
  startShowScenario,
} from "./show-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("restate-journal console in headless chromium", () => {
  let scenario: ShowScenario;
  let dir: string;
  let shots: string;
  let consoleProcess: ManagedProcess | undefined;
  let consoleUrl: string;
  let browserServer: BrowserServer | undefined;
  let browser: Browser | undefined;
  let chromiumPidFile: string | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`).toBe(true);
    expect(existsSync(cli), "dist/cli.js missing: build the package first (npm run build)").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "restate-journal-console-"));
    shots = join(dir, "screenshots");
    scenario = await startShowScenario();
    const keyFile = join(dir, "keys");
    writeFileSync(keyFile, `k1=${scenario.keys.k1}\n`, { mode: 0o600 });
    consoleProcess = spawnManaged(
      process.execPath,
      [cli, "console", "--admin-url", scenario.rs.adminUrl, "--local-key-file", keyFile, "--port", "0"],
      { env: { ...process.env, RESTATE_JOURNAL_LOCAL_KEYS: "", RESTATE_JOURNAL_CONSOLE_TOKEN: "" } },
    );
    const started = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const poll = () => {
        const match = /restate-journal console: (http:\/\/127\.0\.0\.1:\d+)/.exec(consoleProcess?.logs() ?? "");
        if (match) resolve(match[1] as string);
        else if (Date.now() > deadline) reject(new Error(`console did not start:\n${consoleProcess?.logs()}`));
        else setTimeout(poll, 100);
      };
      poll();
    });
    consoleUrl = started;
    browserServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true });
    const pid = browserServer.process().pid;
    // Chromium leads its own process group: the testkit's global teardown kills it even if this worker dies.
    if (pid !== undefined && process.env.RESTATE_CONNECT_TESTKIT_PIDS) {
      chromiumPidFile = join(process.env.RESTATE_CONNECT_TESTKIT_PIDS, String(pid));
      writeFileSync(chromiumPidFile, "");
    }
    browser = await chromium.connect(browserServer.wsEndpoint());
  });

  afterAll(async () => {
    const pid = browserServer?.process().pid;
    await browser?.close().catch(() => undefined);
    await browserServer?.close().catch(() => undefined);
    if (pid !== undefined) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (chromiumPidFile) rmSync(chromiumPidFile, { force: true });
    await consoleProcess?.stop();
    await scenario?.stop();
    // The screenshots are the test's artifacts and stay; nothing else does (the key file least of all).
    if (dir) {
      rmSync(join(dir, "keys"), { force: true });
      console.log(`console screenshots kept in ${shots}`);
    }
  });

  async function open(path: string): Promise<Page> {
    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("dialog", (dialog) => {
      pageErrors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    const response = await page.goto(`${consoleUrl}${path}`);
    expect(response?.headers()["cache-control"]).toBe("no-store");
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    return page;
  }

  async function shoot(page: Page, name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  }

  it("lists the invocations newest first with their status, and filters them", async () => {
    const page = await open("/");
    const rows = page.locator("#invocations tbody tr");
    const targets = await rows.locator("td:nth-child(3)").allTextContents();
    for (const target of [
      "Account/alice/deposit",
      "Account/alice/fail",
      "Account/bob/hold",
      "Account/mallory/remember",
    ]) {
      expect(targets.some((t) => t.startsWith(target))).toBe(true);
    }
    const created = (await rows.locator("td:nth-child(1)").allTextContents()).map((t) => Date.parse(t));
    expect(created.every(Number.isFinite)).toBe(true);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const row = (id: string) => page.locator(`#invocations tr[data-id="${id}"]`);
    await expect(row(scenario.ids.suspended).locator(".status").textContent()).resolves.toBe("suspended");
    await expect(row(scenario.ids.failed).locator(".status").textContent()).resolves.toBe("completed: failure");
    await expect(row(scenario.ids.completed).locator(".status").textContent()).resolves.toBe("completed: success");
    await shoot(page, "invocations");

    await page.fill("input[name=service]", "Account");
    await page.selectOption("select[name=status]", "suspended");
    await page.click("button[type=submit]");
    await page.waitForURL(/status=suspended/);
    const filtered = await page
      .locator("#invocations tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")));
    expect(filtered).toEqual([scenario.ids.suspended]);
    await page.close();
  });

  it("shows a completed invocation's decrypted input, ctx.run result and output on its timeline", async () => {
    const page = await open(`/invocations/${scenario.ids.completed}`);
    await expect(page.locator("#status").textContent()).resolves.toBe("completed: success");
    const entry = (type: string) => page.locator(`#journal li[data-type="${type}"]`);
    const input = await entry("Command: Input").locator("pre").textContent();
    expect(JSON.parse(input ?? "")).toEqual({ amount: 42, note: "first deposit" });
    await expect(entry("Command: Input").locator(".badge").textContent()).resolves.toBe("decrypted · local key k1");
    await expect(entry("Command: Run").textContent()).resolves.toContain("make receipt");
    expect(JSON.parse((await entry("Notification: Run").locator("pre").textContent()) ?? "")).toEqual({
      receipt: "R-42",
      amount: 42,
    });
    expect(JSON.parse((await entry("Command: Output").locator("pre").textContent()) ?? "")).toEqual({
      balance: 42,
      receipt: { receipt: "R-42", amount: 42 },
      greeting: "Hello, alice!",
    });
    expect(await page.locator("#journal li .time").first().textContent()).toMatch(/^\d{4}-\d\d-\d\dT/);
    await shoot(page, "invocation");

    const failed = await open(`/invocations/${scenario.ids.failed}`);
    await expect(failed.locator("#status").textContent()).resolves.toBe("completed: failure");
    await expect(failed.locator('#journal li[data-type="Command: Output"] .failure').textContent()).resolves.toContain(
      "[409] refused: insufficient funds",
    );
    const suspended = await open(`/invocations/${scenario.ids.suspended}`);
    await expect(suspended.locator("#status").textContent()).resolves.toBe("suspended");
    await expect(suspended.locator('#journal li[data-type="Command: Input"] pre').textContent()).resolves.toBe(
      '"waiting for approval"',
    );
    await Promise.all([page.close(), failed.close(), suspended.close()]);
  });

  it("shows an object's decrypted state, the reason for a value under an unknown key, and flags plaintext", async () => {
    const alice = await open("/objects/Account/alice");
    await expect(alice.locator('#state tr[data-name="balance"] pre').textContent()).resolves.toBe("42");
    await expect(alice.locator('#state tr[data-name="note"] pre').textContent()).resolves.toBe('"first deposit"');
    const carol = await open("/objects/Account/carol");
    const sealed = carol.locator('#state tr[data-name="sealed"] .value');
    await expect(sealed.getAttribute("data-reason")).resolves.toBe("unknown_key");
    await expect(sealed.locator(".reason").textContent()).resolves.toContain("local key k-other");
    await expect(carol.locator('#state tr[data-name="legacy"] .badge').textContent()).resolves.toBe(
      "plaintext: stored unencrypted",
    );
    await shoot(carol, "object-unknown-key");
    const workflow = await open("/objects/Signup/ada");
    await expect(workflow.locator('#state tr[data-name="email"] pre').textContent()).resolves.toBe('"ada@example.com"');
    await expect(workflow.locator("#promises pre").textContent()).resolves.toBe('"123456"');
    await Promise.all([alice.close(), carol.close(), workflow.close()]);
  });

  it("shows a stored <script> as text, and it never runs", async () => {
    const page = await open(`/invocations/${scenario.ids.script}`);
    const input = await page.locator('#journal li[data-type="Command: Input"] pre').textContent();
    expect(input).toBe(JSON.stringify(SCRIPT_VALUE));
    const object = await open("/objects/Account/mallory");
    await expect(object.locator('#state tr[data-name="memo"] pre').textContent()).resolves.toBe(
      JSON.stringify(SCRIPT_VALUE),
    );
    // Markup in an object key and a state key (stored unencrypted) is text too, on every page showing it.
    const objects = await open("/objects?service=Account");
    await objects.click(`#objects a:text-is(${JSON.stringify(MARKUP_OBJECT_KEY)})`);
    await objects.waitForURL(/%22%3E%3Csvg/);
    await expect(objects.locator("h1 code").textContent()).resolves.toBe(MARKUP_OBJECT_KEY);
    await expect(objects.locator("#state td code").first().textContent()).resolves.toBe(MARKUP_STATE_KEY);
    await expect(objects.locator("#state pre").textContent()).resolves.toBe(JSON.stringify(SCRIPT_VALUE));
    const keys = await open("/keys");
    for (const p of [page, object, objects, keys]) {
      expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await p.title()).not.toBe("pwned");
      expect(await p.locator("script, img, svg").count()).toBe(0);
    }
    expect(pageErrors).toEqual([]);
    await shoot(object, "object-script-as-text");
    await Promise.all([page.close(), object.close(), objects.close(), keys.close()]);
  });

  it("reports which keys protect how many values", async () => {
    const page = await open("/keys");
    const totals = page.locator("#key-report tbody tr").last();
    const cells = await totals.locator("td").allTextContents();
    // alice: balance, note, last failure; bob: awakeable, hold reason; mallory: memo; Signup/ada: email
    // → 7 under k1; carol: one under k-other (cannot be opened here) and one plaintext.
    // Plus one value under a markup object key and state key, under k1.
    expect(cells[2]).toBe("10");
    expect(cells[3]).toContain("local:k1: 8");
    expect(cells[3]).toContain("local:k-other: 1");
    expect(cells[4]).toBe("1");
    expect(cells[6]).toContain("unknown_key: 1");
    await expect(page.locator(".progress").first().textContent()).resolves.toContain(
      "Reading every stored state value",
    );
    await shoot(page, "key-report");
    await page.close();
  });

  it("answers only to loopback Host names, and every response is no-store under the CSP", async () => {
    const port = new URL(consoleUrl).port;
    // fetch cannot set Host; node:http can, as a DNS-rebinding page's requests would carry it.
    const statusFor = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest({ host: "127.0.0.1", port, path: "/", headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on("error", reject);
        request.end();
      });
    expect(await statusFor(`attacker.example:${port}`)).toBe(421);
    expect(await statusFor(`127.0.0.1.attacker.example:${port}`)).toBe(421);
    expect(await statusFor(`localhost:${port}`)).toBe(200);
    for (const path of ["/console.css", "/nope", `/invocations/inv_1${"0".repeat(33)}`, "/objects"]) {
      const response = await fetch(`${consoleUrl}${path}`);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    expect((await fetch(`${consoleUrl}/`, { method: "POST" })).status).toBe(405);
  });

  it("with an access token: the page asks for it, a wrong one is refused, the right one opens a session", async () => {
    const provider = localKeyProvider({ keys: scenario.keys, activeKeyId: "k1" });
    const token = "correct-horse-battery-staple-42";
    const guarded = await startConsole({
      admin: scenario.admin,
      adminUrl: scenario.rs.adminUrl,
      keys: { providerFor: (kind) => (kind === "local" ? provider : undefined) },
      accessToken: token,
    });
    try {
      const page = await (browser as Browser).newPage();
      const first = await page.goto(`${guarded.url}/objects/Account/alice`);
      expect(first?.status()).toBe(401);
      await expect(page.locator("h1").textContent()).resolves.toBe("Access token");
      await page.fill("#token", "wrong-token-wrong-token");
      await page.click("button[type=submit]");
      await expect(page.locator(".error").textContent()).resolves.toContain("not correct");
      await page.fill("#token", token);
      await page.click("button[type=submit]");
      await page.waitForURL(`${guarded.url}/objects/Account/alice`);
      await expect(page.locator('#state tr[data-name="balance"] pre').textContent()).resolves.toBe("42");
      // Without the cookie or the bearer token, nothing but the access page.
      expect((await fetch(`${guarded.url}/keys`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/keys`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      expect((await fetch(`${guarded.url}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // The token form accepts posts from the console's own origin only.
      const post = (origin: string) =>
        new Promise<number | undefined>((resolve, reject) => {
          const body = `token=${encodeURIComponent(token)}&next=%2F`;
          const request = httpRequest(
            {
              host: "127.0.0.1",
              port: guarded.port,
              path: "/login",
              method: "POST",
              headers: { origin, "content-type": "application/x-www-form-urlencoded", "content-length": body.length },
            },
            (response) => {
              response.resume();
              resolve(response.statusCode);
            },
          );
          request.on("error", reject);
          request.end(body);
        });
      expect(await post("https://attacker.example")).toBe(403);
      expect(await post("not a url")).toBe(403);
      expect(await post(guarded.url)).toBe(303);
      await page.close();
    } finally {
      await guarded.close();
    }
    await expect(
      startConsole({ admin: scenario.admin, adminUrl: "x", keys: { providerFor: () => undefined }, host: "0.0.0.0" }),
    ).rejects.toThrow(/needs allowRemote and an access token/);
  });

  it("shows on the page when the admin API cannot be reached", async () => {
    const { createAdminClient } = await import("@restate-connect/admin-client");
    const unreachable = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const offline = await startConsole({
      admin: createAdminClient({ baseUrl: unreachable, retry: false, adminApiVersion: 3 }),
      adminUrl: unreachable,
      keys: { providerFor: () => undefined },
    });
    try {
      const page = await (browser as Browser).newPage();
      const response = await page.goto(`${offline.url}/`);
      expect(response?.status()).toBe(502);
      const shown = await page.locator(".error").textContent();
      console.log(`admin unreachable, the page says: ${shown}`);
      expect(shown).toMatch(/^(ERR_NETWORK|network_error): /);
      await shoot(page, "admin-unreachable");
      await page.close();
    } finally {
      await offline.close();
    }
  });

  it("the console command stops on SIGTERM, closing its server, with exit code 0", async () => {
    const running = consoleProcess as ManagedProcess;
    expect((await fetch(`${consoleUrl}/console.css`)).status).toBe(200);
    await running.stop();
    expect(await running.exited).toBe(0);
    await expect(fetch(`${consoleUrl}/console.css`)).rejects.toThrow();
  });
});
