import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminNetworkError,
  createAdminClient,
  InvalidOptionError,
  type RetryEvent,
} from "../src/index.js";

type Node = "down" | 503 | 404 | "up";

/** A fetch over several scripted nodes (by host), recording which node each request reached. */
function cluster(nodes: Record<string, Node>) {
  const reached: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    reached.push(`${init?.method ?? "GET"} ${url.host}${url.pathname}`);
    const state = nodes[url.host];
    if (state === "down" || state === undefined) {
      throw Object.assign(new TypeError("fetch failed"), { cause: new Error(`connect ECONNREFUSED ${url.host}`) });
    }
    if (state !== "up") return Response.json({ message: "node unavailable" }, { status: state });
    if (url.pathname === "/health") return new Response(null, { status: 200 });
    if (url.pathname === "/version") {
      return Response.json({ version: "1.7.12", min_admin_api_version: 2, max_admin_api_version: 4, features: {} });
    }
    if (url.pathname.endsWith("/services")) return Response.json({ services: [{ name: `S@${url.host}` }] });
    if (url.pathname.endsWith("/deployments")) return Response.json({ id: "dp_1", services: [] }, { status: 201 });
    if (url.pathname.endsWith("/query")) return Response.json({ rows: [{ node: url.host }] });
    return Response.json({ new_invocation_id: "inv_2" });
  };
  return { fetch, reached };
}

const fast = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5, budgetMs: 5000 };
const urls = ["http://n1.test:9070", "http://n2.test:9070", "http://n3.test:9070"];

describe("several admin base URLs", () => {
  it("moves to the next node after a connection error, at once, and stays there", async () => {
    const { fetch, reached } = cluster({ "n1.test:9070": "down", "n2.test:9070": "up", "n3.test:9070": "up" });
    const events: RetryEvent[] = [];
    const admin = createAdminClient({ baseUrl: urls, fetch, retry: fast, onRetry: (e) => events.push(e) });
    expect(admin.activeBaseUrl).toBe("http://n1.test:9070");
    expect((await admin.services.list()).map((s) => s.name)).toEqual(["S@n2.test:9070"]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ baseUrl: "http://n1.test:9070", nextBaseUrl: "http://n2.test:9070", delayMs: 0 });
    expect(events[0]?.error).toBeInstanceOf(AdminNetworkError);
    expect(admin.activeBaseUrl).toBe("http://n2.test:9070");
    await admin.deployments.register({ uri: "http://svc.test" });
    expect(await admin.query("SELECT 1")).toEqual([{ node: "n2.test:9070" }]);
    expect(reached).toEqual([
      "GET n1.test:9070/version",
      "GET n2.test:9070/version",
      "GET n2.test:9070/v4/services",
      "POST n2.test:9070/v4/deployments",
      "POST n2.test:9070/v4/query",
    ]);
  });

  it("moves on after a 5xx, but never after a 4xx", async () => {
    const unavailable = cluster({ "n1.test:9070": 503, "n2.test:9070": "up" });
    const admin = createAdminClient({
      baseUrl: urls.slice(0, 2),
      fetch: unavailable.fetch,
      retry: fast,
      adminApiVersion: 4,
    });
    expect((await admin.services.list()).map((s) => s.name)).toEqual(["S@n2.test:9070"]);

    const missing = cluster({ "n1.test:9070": 404, "n2.test:9070": "up" });
    const strict = createAdminClient({
      baseUrl: urls.slice(0, 2),
      fetch: missing.fetch,
      retry: fast,
      adminApiVersion: 4,
    });
    const error = await strict.services.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(404);
    expect(missing.reached).toEqual(["GET n1.test:9070/v4/services"]);
  });

  it("tries every node within the budget, even with fewer attempts configured", async () => {
    const { fetch, reached } = cluster({ "n1.test:9070": "down", "n2.test:9070": "down", "n3.test:9070": "up" });
    const admin = createAdminClient({ baseUrl: urls, fetch, retry: { ...fast, maxAttempts: 2 }, adminApiVersion: 4 });
    expect((await admin.services.list()).map((s) => s.name)).toEqual(["S@n3.test:9070"]);
    expect(reached).toHaveLength(3);
  });

  it("ends with the last error when every node is down, after going round all of them", async () => {
    const { fetch, reached } = cluster({});
    const events: RetryEvent[] = [];
    const admin = createAdminClient({
      baseUrl: urls,
      fetch,
      retry: { ...fast, maxAttempts: 6 },
      adminApiVersion: 4,
      onRetry: (e) => events.push(e),
    });
    const error = (await admin.services.list().catch((e: unknown) => e)) as AdminNetworkError;
    expect(error).toBeInstanceOf(AdminNetworkError);
    expect(error.attempts).toBe(6);
    expect(reached.map((r) => r.split("/")[0])).toEqual([
      "GET n1.test:9070",
      "GET n2.test:9070",
      "GET n3.test:9070",
      "GET n1.test:9070",
      "GET n2.test:9070",
      "GET n3.test:9070",
    ]);
    // No pause while trying the other nodes of a round (the pause before a new round is a jittered backoff).
    expect([0, 1, 3, 4].map((i) => events[i]?.delayMs)).toEqual([0, 0, 0, 0]);
    expect(events.map((e) => e.nextBaseUrl)).toEqual([urls[1], urls[2], urls[0], urls[1], urls[2]]);
  });

  it("waitUntilReady probes the next node after one is down", async () => {
    const { fetch, reached } = cluster({ "n1.test:9070": "down", "n2.test:9070": "up" });
    const admin = createAdminClient({ baseUrl: urls.slice(0, 2), fetch, retry: fast });
    await admin.waitUntilReady({ timeoutMs: 5000 });
    expect(reached[0]).toBe("GET n1.test:9070/health");
    expect(reached).toContain("GET n2.test:9070/health");
  });

  it("never repeats a non-idempotent operation on another node", async () => {
    const { fetch, reached } = cluster({ "n1.test:9070": 503, "n2.test:9070": "up" });
    const admin = createAdminClient({ baseUrl: urls.slice(0, 2), fetch, retry: fast, adminApiVersion: 4 });
    await expect(admin.invocations.restartAsNew("inv_1")).rejects.toMatchObject({ status: 503 });
    expect(reached).toHaveLength(1);
  });

  it.each([[[]], [["http://n1.test", "http://n1.test/"]], [["http://n1.test", "ftp://n2.test"]], [[42]]])(
    "refuses baseUrl %j",
    (baseUrl) => {
      expect(() => createAdminClient({ baseUrl: baseUrl as string[] })).toThrow(InvalidOptionError);
    },
  );
});

describe("fail-over, for any cluster", () => {
  it("reaches the first healthy node in order within one round, or fails with every node tried", async () => {
    const state = fc.constantFrom<Node>("down", 503, "up");
    await fc.assert(
      fc.asyncProperty(fc.array(state, { minLength: 1, maxLength: 5 }), async (states) => {
        const hosts = states.map((_, i) => `n${i + 1}.test:9070`);
        const { fetch, reached } = cluster(Object.fromEntries(hosts.map((h, i) => [h, states[i] as Node])));
        const admin = createAdminClient({
          baseUrl: hosts.map((h) => `http://${h}`),
          fetch,
          retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0, budgetMs: 5000 },
          adminApiVersion: 4,
        });
        const firstUp = states.indexOf("up");
        const result = await admin.services.list().catch((e: unknown) => e);
        const tried = reached.map((r) => r.split("/")[0]?.replace("GET ", ""));
        if (firstUp === -1) {
          expect(result).toBeInstanceOf(Error);
          expect(new Set(tried)).toEqual(new Set(hosts));
        } else {
          expect(result).toEqual([{ name: `S@${hosts[firstUp]}` }]);
          expect(tried).toEqual(hosts.slice(0, firstUp + 1));
          expect(admin.activeBaseUrl).toBe(`http://${hosts[firstUp]}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
