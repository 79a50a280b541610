import { createServer as createHttp1Server, type Server } from "node:http";
import { connect, createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import * as restate from "@restatedev/restate-sdk";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import type { AdapterRejection } from "../src/adapters/core.js";
import { identityMiddleware, withIdentity } from "../src/adapters/node.js";
import { createSigner, generateKeyPair } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
const stranger = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
const servers: (Server | Http2Server)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server | Http2Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("node adapter: http/1.1 listener", () => {
  it("passes signed requests, answers 401 {code} otherwise, and reports the reason", async () => {
    const rejections: AdapterRejection[] = [];
    let reached = 0;
    const listener = withIdentity(
      (_req, res) => {
        reached++;
        res.end("hello");
      },
      { keys: [SERVER_TEST_KID], onReject: (r) => rejections.push(r) },
    );
    const url = await listen(createHttp1Server(listener));
    const ok = await fetch(`${url}/prefix/invoke/S/h?x=1`, {
      method: "POST",
      headers: await signer.sign("/invoke/S/h"),
    });
    expect([ok.status, await ok.text()]).toEqual([200, "hello"]);

    const forged = await fetch(`${url}/invoke/S/h`, { method: "POST", headers: await stranger.sign("/invoke/S/h") });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("content-type")).toBe("application/json");
    expect(await forged.json()).toEqual({ code: "bad_signature" });

    const wrongPath = await fetch(`${url}/invoke/S/other`, {
      method: "POST",
      headers: await signer.sign("/invoke/S/h"),
    });
    expect(await wrongPath.json()).toEqual({ code: "audience_mismatch" });
    const none = await fetch(`${url}/discover`);
    expect(await none.json()).toEqual({ code: "missing_scheme" });

    expect(reached).toBe(1);
    expect(rejections.map((r) => r.code)).toEqual(["bad_signature", "audience_mismatch", "missing_scheme"]);
    expect(rejections[1]?.message).toBe('token audience "/invoke/S/h", request path "/invoke/S/other"');
  });

  it("a throwing onReject neither crashes nor accepts", async () => {
    const listener = withIdentity((_req, res) => res.end("hello"), {
      keys: [SERVER_TEST_KID],
      onReject: () => {
        throw new Error("logging broke");
      },
    });
    const url = await listen(createHttp1Server(listener));
    const response = await fetch(`${url}/discover`, { headers: await stranger.sign("/discover") });
    expect(response.status).toBe(401);
  });
});

describe("node adapter: http2 listener", () => {
  it("works with the http2 compatibility API", async () => {
    const listener = withIdentity((_req, res) => res.end("h2 hello"), { keys: [SERVER_TEST_KID] });
    const url = await listen(createHttp2Server(listener));
    const client = connect(url);
    try {
      const request = async (path: string, headers: Record<string, string>) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = client.request({ ":path": path, ":method": "POST", ...headers });
          let status = 0;
          let body = "";
          stream.on("response", (h) => {
            status = Number(h[":status"]);
          });
          stream.setEncoding("utf8");
          stream.on("data", (chunk: string) => {
            body += chunk;
          });
          stream.on("end", () => resolve({ status, body }));
          stream.on("error", reject);
          stream.end();
        });
      expect(await request("/invoke/S/h", { ...(await signer.sign("/invoke/S/h")) })).toEqual({
        status: 200,
        body: "h2 hello",
      });
      expect(await request("/invoke/S/h", { ...(await stranger.sign("/invoke/S/h")) })).toEqual({
        status: 401,
        body: '{"code":"bad_signature"}',
      });
    } finally {
      client.close();
    }
  });
});

describe("node adapter: Express middleware", () => {
  it("guards a mounted router using the full original path", async () => {
    const rejections: string[] = [];
    const app = express();
    app.use("/restate", identityMiddleware({ keys: [SERVER_TEST_KID], onReject: (r) => rejections.push(r.code) }));
    app.post("/restate/invoke/:service/:handler", (req, res) => {
      res.json({ service: req.params.service });
    });
    app.get("/public", (_req, res) => {
      res.send("open");
    });
    const url = await listen(createHttp1Server(app));
    const ok = await fetch(`${url}/restate/invoke/Greeter/greet`, {
      method: "POST",
      headers: await signer.sign("/invoke/Greeter/greet"),
    });
    expect(await ok.json()).toEqual({ service: "Greeter" });
    const bad = await fetch(`${url}/restate/invoke/Greeter/greet`, {
      method: "POST",
      headers: { "x-restate-signature-scheme": "unsigned" },
    });
    expect([bad.status, await bad.json()]).toEqual([401, { code: "unsigned" }]);
    expect(await (await fetch(`${url}/public`)).text()).toBe("open");
    expect(rejections).toEqual(["unsigned"]);
  });
});

describe("the README's Node and Express shapes around the real SDK handler", () => {
  const ACCEPT = "application/vnd.restate.endpointmanifest.v3+json";
  const greeter = restate.service({ name: "Greeter", handlers: { greet: async () => "hi" } });

  it("http.createServer(withIdentity(sdk)): the signer's discovery request gets the manifest", async () => {
    const sdk = restate.createEndpointHandler({ services: [greeter] });
    // Both of the SDK handler's overloads survive the wrapper (a type error here fails typecheck).
    createHttp2Server(withIdentity(sdk, { keys: [SERVER_TEST_KID] })).close();
    const url = await listen(createHttp1Server(withIdentity(sdk, { keys: [SERVER_TEST_KID] })));
    const ok = await fetch(`${url}/discover`, { headers: { ...(await signer.sign("/discover")), accept: ACCEPT } });
    expect(ok.status).toBe(200);
    expect((await ok.json()) as unknown).toMatchObject({ services: [{ name: "Greeter" }] });
    const bad = await fetch(`${url}/discover`, { headers: { ...(await stranger.sign("/discover")), accept: ACCEPT } });
    expect([bad.status, await bad.text()]).toEqual([401, '{"code":"bad_signature"}']);
  });

  it("express: identityMiddleware, then the SDK handler under a mount path", async () => {
    const sdk = restate.createEndpointHandler({ services: [greeter] });
    const subjects: (string | undefined)[] = [];
    const app = express();
    app.use("/restate", identityMiddleware({ keys: [SERVER_TEST_KID] }), (req, res) => {
      subjects.push(req.restateIdentity?.keyId);
      sdk(req, res);
    });
    const url = await listen(createHttp1Server(app));
    const ok = await fetch(`${url}/restate/discover`, {
      headers: { ...(await signer.sign("/discover")), accept: ACCEPT },
    });
    expect([ok.status, ((await ok.json()) as { services: { name: string }[] }).services[0]?.name]).toEqual([
      200,
      "Greeter",
    ]);
    expect(subjects).toEqual([SERVER_TEST_KID]);
    const unsigned = await fetch(`${url}/restate/discover`, { headers: { accept: ACCEPT } });
    expect(unsigned.status).toBe(401);
  });
});
