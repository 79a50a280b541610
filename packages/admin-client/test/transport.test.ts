import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AdminApiError,
  AdminNetworkError,
  createAdminClient,
  IncompatibleServerError,
  InvalidOptionError,
  InvalidResponseError,
  type RetryEvent,
} from "../src/index.js";

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A scripted fetch: answers /version itself, then the given replies in order, recording every request. */
function scripted(
  replies: Reply[],
  version = { version: "1.7.12", min_admin_api_version: 2, max_admin_api_version: 4 },
) {
  const calls: { method: string; url: string; headers: Headers; body: string | undefined }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    calls.push({
      method: init?.method ?? "GET",
      url,
      headers: new Headers(init?.headers),
      body: init?.body as string | undefined,
    });
    if (url.endsWith("/version")) return Response.json(version);
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${url}`);
    if (reply instanceof Error) throw reply;
    const text =
      reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    return new Response(text, { status: reply.status, headers: reply.headers });
  };
  return { fetch, calls };
}

const connectionRefused = () =>
  Object.assign(new TypeError("fetch failed"), { cause: new Error("connect ECONNREFUSED 127.0.0.1:9070") });
const fastRetry = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 5, budgetMs: 5000 };

describe("requests", () => {
  it("uses the highest common admin API version as path prefix and leaves /health unversioned", async () => {
    const { fetch, calls } = scripted([{ status: 200, body: { deployments: [] } }, { status: 200 }]);
    const admin = createAdminClient({ baseUrl: "http://admin.test:9070/", fetch });
    await admin.deployments.get("dp_1");
    await admin.health();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET http://admin.test:9070/version",
      "GET http://admin.test:9070/v4/deployments/dp_1",
      "GET http://admin.test:9070/health",
    ]);
  });

  it("keeps a path prefix of the base URL (e.g. behind a proxy)", async () => {
    const { fetch, calls } = scripted([{ status: 200, body: { services: [] } }]);
    await createAdminClient({ baseUrl: "https://proxy.test/restate/admin", fetch, adminApiVersion: 3 }).services.list();
    expect(calls.map((c) => c.url)).toEqual(["https://proxy.test/restate/admin/v3/services"]);
  });

  it("refuses a server whose admin API versions do not overlap", async () => {
    const { fetch } = scripted([], { version: "9.0.0", min_admin_api_version: 7, max_admin_api_version: 9 });
    const error = await createAdminClient({ baseUrl: "http://a.test", fetch })
      .services.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompatibleServerError);
    expect((error as IncompatibleServerError).message).toContain("9.0.0");
  });

  it("sends the register body in the server's shape with explicit force=false", async () => {
    const { fetch, calls } = scripted([{ status: 201, body: { id: "dp_1", services: [] } }]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch });
    const result = await admin.deployments.register(
      { uri: "http://svc.test:9080" },
      { headers: { "x-api-key": "k" }, useHttp11: true, metadata: { commit: "abc" } },
    );
    expect(result).toEqual({ id: "dp_1", services: [], created: true });
    expect(JSON.parse(calls[1]?.body ?? "")).toEqual({
      uri: "http://svc.test:9080",
      use_http_11: true,
      force: false,
      breaking: false,
      dry_run: false,
      additional_headers: { "x-api-key": "k" },
      metadata: { commit: "abc" },
    });
  });

  it("parses the server's error description into AdminApiError", async () => {
    const { fetch } = scripted([
      { status: 404, body: { message: "[META0004] service not found", restate_code: "META0004" } },
    ]);
    const error = (await createAdminClient({ baseUrl: "http://a.test", fetch })
      .services.get("Nope")
      .catch((e: unknown) => e)) as AdminApiError;
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ status: 404, restateCode: "META0004", retryable: false, code: "api_error" });
    expect(error.message).toBe("GET /v4/services/Nope failed with HTTP 404 META0004: [META0004] service not found");
  });

  it("encodes path segments", async () => {
    const { fetch, calls } = scripted([{ status: 200, body: {} }]);
    await createAdminClient({ baseUrl: "http://a.test", fetch }).services.get("a/b c");
    expect(calls[1]?.url).toBe("http://a.test/v4/services/a%2Fb%20c");
  });

  it("rejects a 2xx answer that is not JSON", async () => {
    const { fetch } = scripted([{ status: 200, body: "<html>" }]);
    await expect(createAdminClient({ baseUrl: "http://a.test", fetch }).services.list()).rejects.toBeInstanceOf(
      InvalidResponseError,
    );
  });
});

describe("network errors", () => {
  it("explains fetch's blocked ports instead of repeating its bare 'bad port'", async () => {
    // The platform fetch itself: it refuses port 6000 before connecting, so nothing needs to listen.
    const error = await createAdminClient({ baseUrl: "http://127.0.0.1:6000", retry: false, adminApiVersion: 4 })
      .health()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network_error" });
    expect((error as Error).message).toContain(
      "fetch refuses to connect to port 6000 (on the Fetch standard's list of blocked ports)",
    );
  });
});

describe("retries", () => {
  it("retries connection errors, 429 and 5xx on idempotent operations until success", async () => {
    const events: RetryEvent[] = [];
    const { fetch, calls } = scripted([
      connectionRefused(),
      { status: 429, body: "slow down" },
      { status: 503, body: { message: "unavailable" } },
      { status: 200, body: { services: [] } },
    ]);
    const admin = createAdminClient({
      baseUrl: "http://a.test",
      fetch,
      retry: fastRetry,
      onRetry: (e) => events.push(e),
    });
    expect(await admin.services.list()).toEqual([]);
    expect(calls).toHaveLength(5);
    expect(events.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(events[0]?.error).toBeInstanceOf(AdminNetworkError);
  });

  it("retries registration (idempotent for an unchanged deployment)", async () => {
    const { fetch, calls } = scripted([
      { status: 502, body: "bad gateway" },
      { status: 200, body: { id: "dp_1", services: [] } },
    ]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: fastRetry });
    expect((await admin.deployments.register({ uri: "http://s.test" })).created).toBe(false);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(2);
  });

  it("never retries 4xx", async () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      const { fetch, calls } = scripted([{ status, body: { message: "no" } }]);
      const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: fastRetry });
      await expect(admin.deployments.register({ uri: "http://s.test" })).rejects.toMatchObject({ status });
      expect(calls).toHaveLength(2);
    }
  });

  it("never retries non-idempotent operations", async () => {
    const { fetch, calls } = scripted([{ status: 503, body: { message: "busy" } }]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: fastRetry });
    await expect(admin.invocations.restartAsNew("inv_1")).rejects.toMatchObject({ status: 503, retryable: true });
    expect(calls).toHaveLength(2);
  });

  it("stops after maxAttempts with the last error and the attempt count", async () => {
    const { fetch } = scripted([connectionRefused(), connectionRefused(), connectionRefused(), connectionRefused()]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: fastRetry, adminApiVersion: 4 });
    const error = (await admin.services.list().catch((e: unknown) => e)) as AdminNetworkError;
    expect(error).toBeInstanceOf(AdminNetworkError);
    expect(error.attempts).toBe(4);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("honours Retry-After (seconds) up to maxDelayMs", async () => {
    const events: RetryEvent[] = [];
    const { fetch } = scripted([
      { status: 429, headers: { "retry-after": "1" } },
      { status: 200, body: { services: [] } },
    ]);
    const admin = createAdminClient({
      baseUrl: "http://a.test",
      fetch,
      retry: { initialDelayMs: 1, maxDelayMs: 50 },
      onRetry: (e) => events.push(e),
    });
    await admin.services.list();
    expect(events[0]?.delayMs).toBe(50);
  });

  it("retry: false makes exactly one attempt", async () => {
    const { fetch, calls } = scripted([connectionRefused()]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: false, adminApiVersion: 4 });
    await expect(admin.services.list()).rejects.toBeInstanceOf(AdminNetworkError);
    expect(calls).toHaveLength(1);
  });
});

describe("the bearer token", () => {
  const token = "tok_super_secret_value_123";

  it("is sent as Authorization: Bearer and is not visible on the client", async () => {
    const { fetch, calls } = scripted([{ status: 200, body: { services: [] } }]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, token });
    await admin.services.list();
    expect(calls.every((c) => c.headers.get("authorization") === `Bearer ${token}`)).toBe(true);
    expect(inspect(admin, { depth: 20, showHidden: true })).not.toContain(token);
    expect(JSON.stringify(admin)).not.toContain(token);
  });

  it("is redacted from server messages and network errors", async () => {
    const { fetch } = scripted([
      { status: 401, body: `bad credentials: Bearer ${token}` },
      Object.assign(new TypeError("fetch failed"), { cause: new Error(`proxy said ${token}`) }),
    ]);
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, token, retry: false, adminApiVersion: 4 });
    for (const error of [
      await admin.health().catch((e: unknown) => e),
      await admin.health().catch((e: unknown) => e),
    ]) {
      const texts = [
        inspect(error, { depth: 20, showHidden: true }),
        JSON.stringify(error),
        String(error),
        (error as Error).stack,
      ];
      for (const text of texts) expect(text).not.toContain(token);
      expect((error as Error).message).toContain("[redacted]");
    }
  });
});

describe("options", () => {
  it.each([
    [{ baseUrl: "localhost:9070" }, "baseUrl"],
    [{ baseUrl: "ftp://a.test" }, "baseUrl"],
    [{ baseUrl: "http://user:pw@a.test" }, "baseUrl"],
    [{ baseUrl: "http://a.test?x=1" }, "baseUrl"],
    [{ baseUrl: "http://a.test", timeoutMs: 0 }, "timeoutMs"],
    [{ baseUrl: "http://a.test", token: "" }, "token"],
    [{ baseUrl: "http://a.test", token: "a\nb" }, "token"],
    [{ baseUrl: "http://a.test", retry: { maxAttempts: 0 } }, "retry"],
    // An empty query or fragment reads as "" in URL.search/hash, yet would swallow every request path.
    [{ baseUrl: "http://a.test/?" }, "baseUrl"],
    [{ baseUrl: "http://a.test/admin#" }, "baseUrl"],
    [{ baseUrl: ["http://a.test/admin", "http://a.test/admin/"] }, "baseUrl"],
    // What fetch would refuse on every attempt, quoting the value in its message.
    [{ baseUrl: "http://a.test", token: "tok\u0000SECRETVALUE" }, "token"],
    [{ baseUrl: "http://a.test", token: "tok\u20acSECRETVALUE" }, "token"],
    [{ baseUrl: "http://a.test", headers: { "x-api-key": "k\u0000SECRETVALUE" } }, "headers"],
    [{ baseUrl: "http://a.test", headers: { "x-api-key": "k\rSECRETVALUE" } }, "headers"],
    [{ baseUrl: "http://a.test", headers: { "bad name": "v" } }, "headers"],
    [{ baseUrl: "http://a.test", token: "t", headers: { Authorization: "Basic x" } }, "headers"],
    [{ baseUrl: "http://a.test", maxResponseBytes: 0 }, "maxResponseBytes"],
    // A timer beyond 2^31-1 ms fires after 1 ms: every request would time out at once.
    [{ baseUrl: "http://a.test", timeoutMs: 3e9 }, "timeoutMs"],
  ])("rejects %j", (options, argument) => {
    expect(() => createAdminClient(options)).toThrow(InvalidOptionError);
    try {
      createAdminClient(options);
    } catch (error) {
      expect((error as InvalidOptionError).option).toBe(argument);
      expect((error as Error).message).not.toContain("SECRETVALUE");
    }
  });

  it("validates operation arguments before any request", async () => {
    const { fetch, calls } = scripted([]);
    const waiting = createAdminClient({ baseUrl: "http://a.test", fetch });
    for (const timeoutMs of [Number.NaN, 0, 3e9]) {
      await expect(waiting.waitUntilReady({ timeoutMs })).rejects.toBeInstanceOf(InvalidOptionError);
    }
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, adminApiVersion: 4 });
    await expect(admin.services.get("")).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(admin.query("  ")).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(admin.deployments.register({ uri: "not a url" })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(admin.deployments.register({ uri: "http://u:pw@s.test" })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(admin.deployments.update("dp_1", { uri: "https://pw@s.test/" })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(
      admin.deployments.register({ uri: "http://s.test" }, { headers: { "bad header": "x" } }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(
      admin.deployments.register({ arn: "arn:aws:lambda:us-east-1:123456789012:function:f" }, { useHttp11: true }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    expect(calls).toEqual([]);
  });
});
