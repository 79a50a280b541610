import { RegistrationError, register, serveEndpoint, sleep, startRestate } from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdapterRejection } from "../src/adapters/core.js";
import { withIdentity } from "../src/adapters/node.js";
import { generateKeyPair, type RequestIdentity } from "../src/index.js";

const cart = restate.object({
  name: "Cart",
  handlers: {
    add: async (ctx: restate.ObjectContext, item: string) => `${ctx.key}:${item}`,
    peek: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => ctx.key),
  },
});
const signup = restate.workflow({
  name: "Signup",
  handlers: { run: async (ctx: restate.WorkflowContext, email: string) => `${ctx.key}:${email}` },
});

const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `hello ${name}` },
});

describe("against restate-server with a signing key", () => {
  const serverKey = generateKeyPair();
  let rs: Awaited<ReturnType<typeof startRestate>>;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    rs = await startRestate({ signingKeyPem: serverKey.privateKeyPem });
    stops.push(() => rs.stop());
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("registration and an invocation through ingress pass our node adapter with the matching key", async () => {
    const rejections: AdapterRejection[] = [];
    const accepted: string[] = [];
    const ep = await serveEndpoint([greeter], {
      wrap: (sdk) =>
        withIdentity(
          (req, res) => {
            accepted.push(req.url ?? "");
            sdk(req, res);
          },
          { keys: [serverKey.publicKey], onReject: (r) => rejections.push(r) },
        ),
    });
    stops.push(() => ep.stop());
    await register(rs.adminUrl, ep.url);
    const response = await fetch(`${rs.ingressUrl}/Greeter/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Restate"),
    });
    expect([response.status, await response.json()]).toEqual([200, "hello Restate"]);
    expect(rejections).toEqual([]);
    expect(accepted).toContain("/discover");
    expect(accepted).toContain("/invoke/Greeter/greet");
  });

  it("a deployment URL with dot segments and escapes: sent as registered, their audience unambiguous, they pass", async () => {
    const rejections: AdapterRejection[] = [];
    const accepted: string[] = [];
    const ep = await serveEndpoint([cart], {
      wrap: (sdk) =>
        withIdentity(
          (req, res) => {
            accepted.push(req.url ?? "");
            sdk(req, res);
          },
          { keys: [serverKey.publicKey], onReject: (r) => rejections.push(r) },
        ),
    });
    stops.push(() => ep.stop());
    await register(rs.adminUrl, `${ep.url}/a%20b/./x/%2e%2e/r;v=1/`);
    const response = await fetch(`${rs.ingressUrl}/Cart/k%2F1/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("x"),
    });
    expect([response.status, await response.json(), rejections]).toEqual([200, "k/1:x", []]);
    // restate-server sends the registered path verbatim (dot segments included) and signs the audience.
    expect(accepted).toEqual(["/a%20b/./x/%2e%2e/r;v=1/discover", "/a%20b/./x/%2e%2e/r;v=1/invoke/Cart/add"]);
  });

  it("a service configured with another key rejects discovery with 401: registration fails, onReject saw bad_signature", async () => {
    const rejections: AdapterRejection[] = [];
    const ep = await serveEndpoint([greeter], {
      wrap: (sdk) => withIdentity(sdk, { keys: [generateKeyPair().publicKey], onReject: (r) => rejections.push(r) }),
    });
    stops.push(() => ep.stop());
    const error = await register(rs.adminUrl, ep.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistrationError);
    // restate-server reports the service's answer inside its own error (HTTP 500, META0003).
    expect((error as RegistrationError).body).toMatch(/401 Unauthorized/);
    expect((error as RegistrationError).body).toContain('{\\"code\\":\\"bad_signature\\"}');
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.every((r) => r.code === "bad_signature")).toBe(true);
  });

  it("sub is the virtual object / workflow key in the server's tokens; authorize refuses other keys with 403", async () => {
    const seen: { url: string; identity: RequestIdentity | undefined }[] = [];
    const refusals: string[] = [];
    const ep = await serveEndpoint([greeter, cart, signup], {
      wrap: (sdk) =>
        withIdentity(
          (req, res) => {
            seen.push({ url: req.url ?? "", identity: (req as { restateIdentity?: RequestIdentity }).restateIdentity });
            sdk(req, res);
          },
          {
            keys: [serverKey.publicKey],
            // Only the Cart object of user-… keys (and discovery, plain services, workflows).
            authorize: (identity) =>
              !identity?.claims.aud.startsWith("/invoke/Cart/") ||
              identity.subject?.startsWith("user-") === true || { code: "object_key_not_allowed" },
            onReject: (r) => refusals.push(`${r.status} ${r.code}`),
          },
        ),
    });
    stops.push(() => ep.stop());
    await register(rs.adminUrl, ep.url);
    const call = async (path: string, body?: unknown) => {
      const response = await fetch(`${rs.ingressUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body ?? null),
      });
      return [response.status, await response.json()];
    };
    expect(await call("/Cart/user-1%2Fa%20b/add", "apple")).toEqual([200, "user-1/a b:apple"]);
    expect(await call("/Cart/user-2/peek")).toEqual([200, "user-2"]);
    expect(await call("/Signup/wf-9/run", "a@b.c")).toEqual([200, "wf-9:a@b.c"]);
    expect(await call("/Greeter/greet", "x")).toEqual([200, "hello x"]);
    const subjects = seen.map(({ url, identity }) => [url, identity?.subject ?? null, identity?.keyId]);
    expect(subjects).toEqual(
      expect.arrayContaining([
        ["/discover", null, serverKey.publicKey],
        ["/invoke/Cart/add", "user-1/a b", serverKey.publicKey],
        ["/invoke/Cart/peek", "user-2", serverKey.publicKey],
        ["/invoke/Signup/run", "wf-9", serverKey.publicKey],
        ["/invoke/Greeter/greet", null, serverKey.publicKey],
      ]),
    );
    for (const { identity } of seen) expect(identity?.claims.sub).toBe(identity?.subject);

    // A refused key: the service answers 403, Restate keeps retrying; the handler never runs.
    const sent = await fetch(`${rs.ingressUrl}/Cart/admin/add/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("x"),
    });
    expect(sent.status).toBe(202);
    for (let i = 0; i < 200 && !refusals.includes("403 object_key_not_allowed"); i++) await sleep(100);
    expect(refusals).toContain("403 object_key_not_allowed");
    expect(seen.some(({ identity }) => identity?.subject === "admin")).toBe(false);
  });
});
