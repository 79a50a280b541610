import { inspect } from "node:util";
import { freePort, type RestateServer, serveEndpoint, startRestate } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  AdminApiError,
  type AdminClientError,
  AdminNetworkError,
  AdminTimeoutError,
  createAdminClient,
  type RetryEvent,
} from "../src/index.js";
import { bearerProxy, blackHole, tcpForwarder } from "./net.js";
import { greeterV1 } from "./services.js";

let server: RestateServer;

beforeAll(async () => {
  server = await startRestate();
});
afterAll(async () => {
  await server?.stop();
});

const TOKEN = "rc-test-token-9f3b1c7e0a52d4";

function expectNoToken(value: unknown) {
  for (const text of [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? "", String(value)]) {
    expect(text).not.toContain(TOKEN);
  }
  if (value instanceof Error) expect(value.stack ?? "").not.toContain(TOKEN);
}

describe("retries and readiness", () => {
  it("waits for a server that is not up yet, and registration retries until it is", async () => {
    const port = await freePort();
    const endpoint = await serveEndpoint([greeterV1]);
    onTestFinished(() => endpoint.stop());
    const retries: RetryEvent[] = [];
    const admin = createAdminClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 1000, initialDelayMs: 50, maxDelayMs: 300, budgetMs: 60_000 },
      onRetry: (event) => retries.push(event),
    });
    let waited = 0;
    const ready = admin.waitUntilReady({ timeoutMs: 60_000, onWaiting: () => waited++ });
    const registration = admin.deployments.register({ uri: endpoint.url }, { force: true });

    // Both are now failing against a closed port; bring the "server" up behind that port.
    await new Promise((r) => setTimeout(r, 1000));
    const forwarder = await tcpForwarder(port, new URL(server.adminUrl));
    onTestFinished(() => forwarder.close());

    await ready;
    const registered = await registration;
    expect(waited).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.error instanceof AdminNetworkError)).toBe(true);
    expect(registered.services.map((s) => s.name)).toEqual(["Greeter"]);
    expect((await admin.services.get("Greeter")).name).toBe("Greeter");
  });

  it("gives up with a typed error after the retry budget when the server goes away mid-loop", async () => {
    const doomed = await startRestate();
    onTestFinished(() => doomed.stop());
    const port = await freePort();
    const forwarder = await tcpForwarder(port, new URL(doomed.adminUrl));
    onTestFinished(() => forwarder.close());
    const retries: RetryEvent[] = [];
    const admin = createAdminClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 10_000, initialDelayMs: 50, maxDelayMs: 200, budgetMs: 2500 },
      onRetry: (event) => {
        retries.push(event);
        // The server disappears for good while the client is retrying.
        if (event.attempt === 1) void doomed.stop().then(() => forwarder.close());
      },
    });
    expect(Array.isArray(await admin.services.list())).toBe(true);

    // The path to the server starts failing (a load balancer dropping connections)…
    forwarder.mode = "reset";
    forwarder.dropConnections();
    const error = await admin.services.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminNetworkError);
    const networkError = error as AdminNetworkError;
    expect(networkError.attempts).toBe(retries.length + 1);
    expect(networkError.attempts).toBeGreaterThan(2);
    expect(networkError.message).toMatch(/^GET \/v4\/services failed: /);
    // …and the last attempts met a closed port: the server was really gone.
    expect(networkError.message).toMatch(/ECONNREFUSED/);
  });

  it("turns a server that never answers into AdminTimeoutError", async () => {
    const port = await freePort();
    const hole = await blackHole(port);
    onTestFinished(() => hole.close());
    const admin = createAdminClient({
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 200,
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    });
    const error = await admin.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminTimeoutError);
    expect((error as AdminTimeoutError).attempts).toBe(3);
    const notReady = await admin.waitUntilReady({ timeoutMs: 800 }).catch((e: unknown) => e);
    expect((notReady as AdminClientError).code).toBe("not_ready");
  });

  it("does not retry a 4xx validation error", async () => {
    const retries: RetryEvent[] = [];
    const admin = createAdminClient({ baseUrl: server.adminUrl, onRetry: (e) => retries.push(e) });
    const error = await admin.services.get("NoSuchService").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(404);
    expect((error as AdminApiError).retryable).toBe(false);
    expect(retries).toEqual([]);
  });
});

describe("behind a reverse proxy that requires a bearer token", () => {
  it("works with the token, fails with a typed 401 without it, and never reveals the token", async () => {
    const port = await freePort();
    const proxy = await bearerProxy(port, server.adminUrl, TOKEN);
    onTestFinished(() => proxy.close());
    const baseUrl = `http://127.0.0.1:${port}`;

    const admin = createAdminClient({ baseUrl, token: TOKEN });
    expectNoToken(admin);
    await admin.waitUntilReady({ timeoutMs: 10_000 });
    expect(Array.isArray(await admin.deployments.list())).toBe(true);
    // The negotiated version is on the wire: versioned paths for the API, plain /health and /version.
    expect(proxy.paths).toContain("GET /version");
    expect(proxy.paths).toContain("GET /v4/deployments");

    const anonymous = createAdminClient({ baseUrl });
    const missing = await anonymous.health().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AdminApiError);
    expect((missing as AdminApiError).status).toBe(401);
    expect((missing as AdminApiError).retryable).toBe(false);

    // A wrong token is echoed by the proxy; the client redacts its own token from everything it reports.
    const wrong = createAdminClient({ baseUrl, token: `${TOKEN}-old`, retry: false });
    const rejected = await wrong.deployments.list().catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(AdminApiError);
    expect((rejected as AdminApiError).status).toBe(401);
    expect((rejected as AdminApiError).message).toContain("[redacted]");
    expectNoToken(rejected);
    expect(inspect(rejected)).not.toContain(`${TOKEN}-old`);

    // Network failures with a token configured carry no token either.
    await proxy.close();
    const down = await admin.deployments.list().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(AdminNetworkError);
    expectNoToken(down);
  });
});
