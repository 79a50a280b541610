import { createServer, type IncomingMessage } from "node:http";
import { type LoopbackListener, listenOnLoopback } from "@restate-connect/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminRedirectError, createAdminClient } from "../src/index.js";

// Real HTTP over loopback with the platform fetch: an "admin API" that redirects, and a second
// origin (another port) that records whatever reaches it.
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  apiKey: string | undefined;
  host: string | undefined;
  body: string;
}

const TOKEN = "tok-redirect-test-6f1d";
const API_KEY = "key-redirect-test-93ab";
let admin: LoopbackListener;
let elsewhere: LoopbackListener;
const seenByAdmin: Seen[] = [];
const seenElsewhere: Seen[] = [];
let hopTo = "";

async function record(request: IncomingMessage, into: Seen[]): Promise<void> {
  let body = "";
  for await (const chunk of request) body += chunk;
  into.push({
    method: request.method ?? "",
    url: request.url ?? "",
    authorization: request.headers.authorization,
    apiKey: request.headers["x-api-key"] as string | undefined,
    host: request.headers.host,
    body,
  });
}

beforeAll(async () => {
  elsewhere = await listenOnLoopback(
    createServer(async (request, response) => {
      await record(request, seenElsewhere);
      response.writeHead(200, { "content-type": "application/json" }).end('{"services":[]}');
    }),
  );
  admin = await listenOnLoopback(
    createServer(async (request, response) => {
      await record(request, seenByAdmin);
      const path = request.url ?? "";
      const redirect = (status: number, location: string) => response.writeHead(status, { location }).end();
      if (path === "/v4/services") return redirect(307, `${elsewhere.url}/v4/services`);
      if (path === "/v4/services/hop") return redirect(307, hopTo);
      if (path.startsWith("/v4/services/final")) {
        return response.writeHead(200, { "content-type": "application/json" }).end('{"name":"S","handlers":[]}');
      }
      if (path === "/v4/deployments") return redirect(308, "/v4/moved/deployments");
      if (path === "/v4/moved/deployments") {
        return response.writeHead(201, { "content-type": "application/json" }).end('{"id":"dp_1","services":[]}');
      }
      if (path === "/v4/query") return redirect(303, "/v4/query-result");
      if (path === "/v4/query-result") {
        return response.writeHead(200, { "content-type": "application/json" }).end('{"rows":[{"one":1}]}');
      }
      if (path === "/v4/subscriptions") return redirect(302, `http://localhost:${admin.port}/v4/subscriptions`);
      if (path === "/v4/deployments/loop") return redirect(307, "/v4/deployments/loop");
      if (path.startsWith("/v4/services/nolocation")) return response.writeHead(301).end();
      response.writeHead(404).end();
    }),
  );
});
afterAll(async () => {
  await admin?.close();
  await elsewhere?.close();
});

const client = () =>
  createAdminClient({ baseUrl: admin.url, token: TOKEN, headers: { "x-api-key": API_KEY }, adminApiVersion: 4 });

describe("redirects from the admin API", () => {
  it("refuses a redirect to another origin, naming it, and sends nothing there", async () => {
    const error = (await client()
      .services.list()
      .catch((e: unknown) => e)) as AdminRedirectError;
    expect(error).toBeInstanceOf(AdminRedirectError);
    expect(error).toMatchObject({
      code: "redirect_refused",
      retryable: false,
      status: 307,
      targetOrigin: elsewhere.url,
    });
    expect(error.message).toContain(elsewhere.url);
    expect(error.message).not.toContain(TOKEN);
    // Same host name, other spelling: still another origin.
    const byName = (await client()
      .subscriptions.list()
      .catch((e: unknown) => e)) as AdminRedirectError;
    expect(byName.targetOrigin).toBe(`http://localhost:${admin.port}`);
    expect(seenElsewhere).toEqual([]);
  });

  it("follows a same-origin 308 with the method, body, token and headers", async () => {
    seenByAdmin.length = 0;
    const result = await client().deployments.register({ uri: "http://svc.test:9080" });
    expect(result).toMatchObject({ id: "dp_1", created: true });
    const [first, second] = seenByAdmin;
    expect(second).toMatchObject({ method: "POST", url: "/v4/moved/deployments", authorization: `Bearer ${TOKEN}` });
    expect(second?.body).toBe(first?.body);
    expect(JSON.parse(second?.body ?? "{}")).toMatchObject({ uri: "http://svc.test:9080" });
  });

  it("turns a same-origin 303 after a POST into a GET without a body", async () => {
    seenByAdmin.length = 0;
    expect(await client().query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(seenByAdmin.map((s) => `${s.method} ${s.url} ${s.body.length}`)).toEqual([
      expect.stringMatching(/^POST \/v4\/query \d+$/),
      "GET /v4/query-result 0",
    ]);
  });

  it("refuses redirect loops and redirects without a readable target", async () => {
    const admin4 = client();
    const missing = (await admin4.services.get("nolocation").catch((e: unknown) => e)) as AdminRedirectError;
    expect(missing).toMatchObject({ code: "redirect_refused", status: 301, targetOrigin: null });
    seenByAdmin.length = 0;
    const loop = (await admin4.deployments.get("loop").catch((e: unknown) => e)) as AdminRedirectError;
    expect(loop).toMatchObject({ code: "redirect_refused", status: 307 });
    expect(loop.message).toContain("too many times");
    expect(seenByAdmin).toHaveLength(5);
  });
});

describe("any Location an attacker can write", () => {
  it("either stays on the admin API's origin over http(s) without credentials, or is refused", async () => {
    const here = `127.0.0.1:${admin.port}`;
    const location = fc
      .tuple(
        fc.constantFrom(
          "http://",
          "https://",
          "HTTP://",
          "//",
          "/\\",
          "\\\\",
          "http:\\\\",
          " http://",
          "\thttp://",
          "blob:http://",
          "file://",
          "http:",
        ),
        fc.constantFrom("", "a@", "u:p@", `${here}@`, ":@"),
        fc.constantFrom(
          here,
          `localhost:${admin.port}`,
          `127.0.0.1:${elsewhere.port}`,
          `127.1:${admin.port}`,
          `%31%32%37.0.0.1:${admin.port}`,
          `[::1]:${admin.port}`,
          `0x7f.1:${admin.port}`,
          `127.0.0.1`,
          "evil.invalid",
          "xn--e1afmkfd.invalid",
        ),
        fc.constantFrom("/v4/services/final", "/v4/services/final?a=1#f", "", "/%2e%2e/v4/services/final"),
      )
      .map((parts) => parts.join(""));
    const base = new URL(`http://${here}/v4/services/hop`);
    await fc.assert(
      fc.asyncProperty(location, async (target) => {
        hopTo = target;
        seenByAdmin.length = 0;
        const error = await createAdminClient({
          baseUrl: admin.url,
          token: TOKEN,
          headers: { "x-api-key": API_KEY },
          adminApiVersion: 4,
          retry: false,
        })
          .services.get("hop")
          .then(
            () => undefined,
            (e: unknown) => e as { code: string },
          );
        let resolved: URL | undefined;
        try {
          resolved = new URL(target, base);
        } catch {
          resolved = undefined;
        }
        const sameOrigin =
          resolved !== undefined &&
          resolved.origin === base.origin &&
          resolved.protocol === "http:" &&
          !resolved.username &&
          !resolved.password;
        if (!sameOrigin) expect(error, target).toMatchObject({ code: "redirect_refused" });
        else expect([undefined, "api_error"], target).toContain(error?.code);
        expect(seenElsewhere).toEqual([]);
        expect(seenByAdmin.every((seen) => seen.host === here)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
