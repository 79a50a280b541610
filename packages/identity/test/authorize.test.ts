// Every adapter hands the verified identity to the handler the way its framework expects, refuses
// with 403 and a code when `authorize` says no, and lets /health through only when asked.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import fc from "fast-check";
import { type Context, Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import type { AdapterRejection, Authorization, IdentityAdapterOptions } from "../src/adapters/core.js";
import { identityOf as fetchIdentityOf, withIdentity as withFetchIdentity } from "../src/adapters/fetch.js";
import { restateIdentity } from "../src/adapters/hono.js";
import { identityOf as lambdaIdentityOf, withIdentity as withLambdaIdentity } from "../src/adapters/lambda.js";
import { identityMiddleware, withIdentity as withNodeIdentity } from "../src/adapters/node.js";
import { createSigner, type RequestIdentity } from "../src/index.js";
import { isHealthPath } from "../src/path.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Only the Cart object, only keys starting with "user-", never the handler "purge". */
const authorize = (identity: RequestIdentity | undefined): Authorization => {
  if (!identity?.claims.aud.startsWith("/invoke/Cart/")) return { code: "service_not_allowed" };
  if (identity.claims.aud === "/invoke/Cart/purge") return false;
  return identity.subject?.startsWith("user-") === true || { code: "object_key_not_allowed" };
};

type Call = (path: string, headers: Record<string, string>) => Promise<{ status: number; body: string }>;
interface Harness {
  name: string;
  /** Serves `options`; the handler answers with the identity it sees, as JSON. */
  start(options: IdentityAdapterOptions<never>): Promise<Call>;
}

const seen = (identity: RequestIdentity | undefined) =>
  JSON.stringify(
    identity === undefined
      ? null
      : { keyId: identity.keyId, subject: identity.subject ?? null, aud: identity.claims.aud },
  );

const viaFetch = async (url: string, path: string, headers: Record<string, string>) => {
  const response = await fetch(`${url}${path}`, { method: "POST", headers });
  return { status: response.status, body: await response.text() };
};

const harnesses: Harness[] = [
  {
    name: "node withIdentity (request.restateIdentity)",
    async start(options) {
      const url = await listen(
        createServer(
          withNodeIdentity(
            (req: IncomingMessage & { restateIdentity?: RequestIdentity }, res) => res.end(seen(req.restateIdentity)),
            options as IdentityAdapterOptions<IncomingMessage>,
          ),
        ),
      );
      return (path, headers) => viaFetch(url, path, headers);
    },
  },
  {
    name: "express identityMiddleware (req.restateIdentity)",
    async start(options) {
      const app = express();
      app.use("/svc", identityMiddleware(options as IdentityAdapterOptions<express.Request>));
      app.use("/svc", (req, res) => {
        res.end(seen(req.restateIdentity));
      });
      const url = await listen(createServer(app));
      return (path, headers) => viaFetch(url, `/svc${path}`, headers);
    },
  },
  {
    name: "fetch withIdentity (identityOf(request))",
    async start(options) {
      const handler = withFetchIdentity(
        (request: Request) => new Response(seen(fetchIdentityOf(request))),
        options as IdentityAdapterOptions<Request>,
      );
      return async (path, headers) => {
        const response = await handler(new Request(`http://service${path}`, { method: "POST", headers }));
        return { status: response.status, body: await response.text() };
      };
    },
  },
  {
    name: "hono restateIdentity (c.get)",
    async start(options) {
      const app = new Hono();
      app.use("*", restateIdentity(options as IdentityAdapterOptions<Context>));
      app.all("*", (c) => c.text(seen(c.get("restateIdentity"))));
      return async (path, headers) => {
        const response = await app.request(path, { method: "POST", headers });
        return { status: response.status, body: await response.text() };
      };
    },
  },
  {
    name: "lambda withIdentity (identityOf(event))",
    async start(options) {
      const handler = withLambdaIdentity(
        async (event: { path: string; headers: Record<string, string> }) => ({
          statusCode: 200,
          body: seen(lambdaIdentityOf(event)),
        }),
        options as IdentityAdapterOptions<{ path: string; headers: Record<string, string> }>,
      );
      return async (path, headers) => {
        const result = await handler({ path, headers }, {});
        return { status: result.statusCode, body: result.body };
      };
    },
  },
];

describe.each(harnesses)("$name", (harness) => {
  it("hands the verified identity (key id, claims, sub) to the handler", async () => {
    const call = await harness.start({ keys: [SERVER_TEST_KID] });
    const keyed = await call("/invoke/Cart/add", { ...(await signer.sign("/invoke/Cart/add", { subject: "user-7" })) });
    expect(keyed).toEqual({
      status: 200,
      body: JSON.stringify({ keyId: SERVER_TEST_KID, subject: "user-7", aud: "/invoke/Cart/add" }),
    });
    const plain = await call("/discover", { ...(await signer.sign("/discover")) });
    expect(plain.body).toBe(JSON.stringify({ keyId: SERVER_TEST_KID, subject: null, aud: "/discover" }));
  });

  it("authorize refuses a verified request with 403 and its code; 401 still comes first", async () => {
    const rejections: AdapterRejection[] = [];
    const call = await harness.start({ keys: [SERVER_TEST_KID], authorize, onReject: (r) => rejections.push(r) });
    const as = async (path: string, subject?: string) =>
      call(path, { ...(await signer.sign(path, subject === undefined ? {} : { subject })) });
    expect((await as("/invoke/Cart/add", "user-1")).status).toBe(200);
    expect(await as("/invoke/Cart/add", "admin")).toEqual({ status: 403, body: '{"code":"object_key_not_allowed"}' });
    expect(await as("/invoke/Cart/purge", "user-1")).toEqual({ status: 403, body: '{"code":"forbidden"}' });
    expect(await as("/invoke/Payments/refund", "user-1")).toEqual({
      status: 403,
      body: '{"code":"service_not_allowed"}',
    });
    expect(await call("/invoke/Cart/add", {})).toEqual({ status: 401, body: '{"code":"missing_scheme"}' });
    expect(rejections.map((r) => [r.status, r.code])).toEqual([
      [403, "object_key_not_allowed"],
      [403, "forbidden"],
      [403, "service_not_allowed"],
      [401, "missing_scheme"],
    ]);
  });

  it("a throwing, rejecting or odd authorize hook fails closed", async () => {
    const hooks: IdentityAdapterOptions<never>["authorize"][] = [
      () => {
        throw new Error("database down");
      },
      async () => Promise.reject(new Error("nope")),
      () => "yes" as unknown as boolean,
      () => ({ code: "Not A Code" }),
      () => undefined as unknown as boolean,
    ];
    for (const hook of hooks) {
      const call = await harness.start({ keys: [SERVER_TEST_KID], authorize: hook });
      expect(
        await call("/invoke/Cart/add", { ...(await signer.sign("/invoke/Cart/add", { subject: "user-1" })) }),
      ).toEqual({
        status: 403,
        body: '{"code":"forbidden"}',
      });
    }
  });

  it("with allowUnsigned, authorize still runs and sees no identity", async () => {
    const seenByHook: (RequestIdentity | undefined)[] = [];
    const call = await harness.start({
      keys: [SERVER_TEST_KID],
      allowUnsigned: true,
      authorize: (identity) => {
        seenByHook.push(identity);
        return identity !== undefined || { code: "signature_required" };
      },
    });
    expect(await call("/invoke/Cart/add", { "x-restate-signature-scheme": "unsigned" })).toEqual({
      status: 403,
      body: '{"code":"signature_required"}',
    });
    expect((await call("/invoke/Cart/add", { ...(await signer.sign("/invoke/Cart/add")) })).status).toBe(200);
    expect(seenByHook.map((i) => i?.keyId)).toEqual([undefined, SERVER_TEST_KID]);
  });

  it("allowHealth lets the SDK's health path through unverified, and nothing else", async () => {
    const strict = await harness.start({ keys: [SERVER_TEST_KID] });
    expect((await strict("/health", {})).status).toBe(401);
    const call = await harness.start({ keys: [SERVER_TEST_KID], allowHealth: true, authorize: () => false });
    expect(await call("/health", {})).toEqual({ status: 200, body: "null" });
    for (const path of ["/invoke/Svc/health", "/discover", "/invoke/Svc/h", "/healthz"])
      expect([path, (await call(path, {})).status]).toEqual([path, 401]);
  });
});

describe("isHealthPath decides like the SDK's URL parser", () => {
  it.each([
    ["/health", true],
    ["/prefix/health", true],
    ["/x/../health", true],
    ["/invoke/Svc/health", false],
    ["/invoke/Svc/x/../health", false],
    ["/invoke/Svc/x/%2e%2e/health", false],
    ["/pre/invoke/Svc/health", false],
    ["/serdes/Svc/decode/health", false],
    ["/health/", false],
    ["/discover", false],
    ["/healthz", false],
  ])("%s → %s", (path, expected) => {
    expect(isHealthPath(path)).toBe(expected);
  });
});

describe("isHealthPath: differential against the SDK's own routing", () => {
  it("agrees with parseUrlComponents on the URL-normalised path for generated request targets", async () => {
    const entry = createRequire(import.meta.url).resolve("@restatedev/restate-sdk");
    const { parseUrlComponents } = (await import(
      pathToFileURL(join(dirname(entry), "endpoint/components.js")).href
    )) as {
      parseUrlComponents(path: string): { type: string };
    };
    // What the SDK does with a request (generic.ts): new URL(url, base).pathname, then parseUrlComponents.
    // A target the URL parser refuses (e.g. "//") makes the SDK answer 500, not health.
    const sdkSaysHealth = (target: string) => {
      try {
        return parseUrlComponents(new URL(target, "https://example.com").pathname).type === "health";
      } catch {
        return false;
      }
    };
    const segment = fc.constantFrom(
      "health",
      "invoke",
      "discover",
      "serdes",
      "decode",
      "Svc",
      "h",
      "..",
      ".",
      "%2e%2e",
      "%2E",
      "",
      "health%2f",
      "x",
    );
    const target = fc
      .tuple(fc.array(segment, { maxLength: 7 }), fc.constantFrom("", "?q=1", "#f", "/"))
      .map(([segments, tail]) => `/${segments.join("/")}${tail}`);
    fc.assert(
      fc.property(target, (path) => {
        expect([path, isHealthPath(path)]).toEqual([path, sdkSaysHealth(path)]);
      }),
      { numRuns: Math.max(Number(process.env.FC_RUNS ?? 300), 1000) },
    );
  });
});

describe("the adapter core fails closed", () => {
  it("a shared verifier that throws or returns garbage is a 401 internal_error, never the handler", async () => {
    const broken = [
      async () => {
        throw new Error("boom");
      },
      async () => undefined as never,
    ];
    for (const verify of broken) {
      const rejections: AdapterRejection[] = [];
      let reached = false;
      const handler = withFetchIdentity(
        () => {
          reached = true;
          return new Response("ran");
        },
        {
          verifier: { verify, crypto: "node", ready: async () => "node", keyIds: [] },
          onReject: (r) => rejections.push(r),
        },
      );
      const response = await handler(new Request("http://service/invoke/S/h", { method: "POST" }));
      expect([response.status, await response.text(), reached]).toEqual([401, '{"code":"internal_error"}', false]);
      expect(rejections.map((r) => r.code)).toEqual(["internal_error"]);
    }
  });
});
