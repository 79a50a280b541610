import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { restateIdentity } from "../src/adapters/hono.js";
import { createSigner, generateKeyPair } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
let server: ServerType | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe("hono adapter on @hono/node-server", () => {
  it("guards routes and reports rejections with the context", async () => {
    const seen: { code: string; path: string }[] = [];
    const app = new Hono();
    app.use(
      "/restate/*",
      restateIdentity({ keys: [SERVER_TEST_KID], onReject: (r, c) => seen.push({ code: r.code, path: c.req.path }) }),
    );
    app.post("/restate/invoke/:service/:handler", (c) => c.json({ handler: c.req.param("handler") }));
    app.get("/open", (c) => c.text("open"));
    const url = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
    });

    const ok = await fetch(`${url}/restate/invoke/S/greet?q=1`, {
      method: "POST",
      headers: await signer.sign("/invoke/S/greet"),
    });
    expect(await ok.json()).toEqual({ handler: "greet" });
    const other = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const bad = await fetch(`${url}/restate/invoke/S/greet`, {
      method: "POST",
      headers: await other.sign("/invoke/S/greet"),
    });
    expect([bad.status, bad.headers.get("content-type"), await bad.text()]).toEqual([
      401,
      "application/json",
      '{"code":"bad_signature"}',
    ]);
    expect(await (await fetch(`${url}/open`)).text()).toBe("open");
    expect(seen).toEqual([{ code: "bad_signature", path: "/restate/invoke/S/greet" }]);
  });
});
