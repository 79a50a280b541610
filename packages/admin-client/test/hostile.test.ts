import { createServer, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { freePort, type LoopbackListener, listenOnLoopback } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminClientError, createAdminClient } from "../src/index.js";
import { blackHole } from "./net.js";

// A hostile admin API on real loopback HTTP: answers that never end, drip, lie about their shape or
// carry terminal escape sequences. Each path is one behaviour; `written` counts what it managed to send.
let server: LoopbackListener;
let written = 0;
let shape = "";
// 16 MiB of JSON whitespace in ~16 KiB: what counts is the decompressed size.
const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, " "), { level: 9 });
const MiB = 1024 * 1024;

async function endless(response: ServerResponse, status: number): Promise<void> {
  response.writeHead(status, { "content-type": "application/json" });
  response.write('{"message":"');
  const chunk = "x".repeat(64 * 1024);
  while (!response.destroyed) {
    written += chunk.length;
    if (response.write(chunk)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off("drain", done).off("close", done);
        resolve();
      };
      response.on("drain", done).on("close", done);
    });
  }
}

beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((request, response) => {
      const path = request.url ?? "";
      const json = (status: number, text: string) =>
        response.writeHead(status, { "content-type": "application/json" }).end(text);
      if (path === "/v4/services") return void endless(response, 200);
      if (path === "/v4/deployments") return void endless(response, 500);
      if (path === "/v4/services/bomb") {
        return response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(bomb);
      }
      if (path === "/v4/subscriptions") {
        return response.writeHead(200, { "content-length": String(10 * 1024 * MiB) }).end();
      }
      if (path === "/v4/services/drip") {
        response.writeHead(200, { "content-type": "application/json" }).write("{");
        const timer = setInterval(() => response.write(" "), 50);
        response.once("close", () => clearInterval(timer));
        return;
      }
      if (path.startsWith("/shape/")) return json(200, shape);
      if (path === "/v4/services/escape/handlers") {
        return json(
          503,
          JSON.stringify({
            message: "down\n\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil",
            restate_code: "X\u001b[1m",
          }),
        );
      }
      if (path === "/version")
        return json(200, '{"version":"1.7.12","min_admin_api_version":2,"max_admin_api_version":3.5}');
      response.writeHead(404).end();
    }),
  );
});
afterAll(() => server?.close());

const client = (extra: Parameters<typeof createAdminClient>[0] extends infer O ? Partial<O> : never = {}) =>
  createAdminClient({ baseUrl: server.url, adminApiVersion: 4, retry: false, timeoutMs: 60_000, ...extra });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as AdminClientError,
  );

describe("a hostile admin API", () => {
  it("cannot fill memory with a body without end: reading stops at maxResponseBytes", async () => {
    written = 0;
    const error = await failure(client({ maxResponseBytes: MiB }).services.list());
    expect(error).toMatchObject({ code: "invalid_response", retryable: false });
    expect(error?.message).toContain("maxResponseBytes");
    // What the server got out before the client hung up: the limit plus socket buffers, not more.
    expect(written).toBeLessThan(16 * MiB);
  });

  it("cannot do it with an error answer either, nor with a declared huge length", async () => {
    written = 0;
    const error = await failure(client().deployments.list());
    expect(error).toMatchObject({ code: "api_error", status: 500 });
    expect((error as unknown as { serverMessage: string }).serverMessage.length).toBeLessThanOrEqual(301);
    expect(written).toBeLessThan(16 * MiB);
    expect(await failure(client().subscriptions.list())).toMatchObject({ code: "invalid_response" });
    // fetch decompresses on its own: the limit applies to what it decompresses, not to the wire.
    expect(await failure(client({ maxResponseBytes: MiB }).services.get("bomb"))).toMatchObject({
      code: "invalid_response",
    });
  });

  it("a drip feed ends with the per-attempt timeout", async () => {
    expect(await failure(client({ timeoutMs: 400 }).services.get("drip"))).toMatchObject({ code: "timeout" });
  });

  it("waitUntilReady ends on time against a server that accepts and never answers", { timeout: 10_000 }, async () => {
    const port = await freePort();
    const hole = await blackHole(port);
    try {
      // The client's per-request timeout (60 s) is far beyond the test's: only the wait's own limit ends it.
      const admin = createAdminClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 60_000 });
      expect(await failure(admin.waitUntilReady({ timeoutMs: 800 }))).toMatchObject({ code: "not_ready" });
    } finally {
      await hole.close();
    }
  });

  it("answers of the wrong shape fail with invalid_response, never as undefined", async () => {
    const admin = createAdminClient({ baseUrl: `${server.url}/shape`, adminApiVersion: 4, retry: false });
    for (const body of ["null", "[]", "42", '"text"', "{}", '{"services":{}}', '{"handlers":"x"}', "{x"]) {
      shape = body;
      expect(await failure(admin.services.list()), body).toMatchObject({ code: "invalid_response" });
      expect(await failure(admin.services.handlers("S")), body).toMatchObject({ code: "invalid_response" });
      expect(await failure(admin.deployments.list()), body).toMatchObject({ code: "invalid_response" });
      const object = body.startsWith("{") && body !== "{x";
      const got = await failure(admin.services.get("S"));
      if (object) expect(got, body).toBeUndefined();
      else expect(got, body).toMatchObject({ code: "invalid_response" });
    }
  });

  it("cannot put control characters (terminal escapes, forged lines) into error messages", async () => {
    const error = await failure(client().services.handlers("escape"));
    expect(error).toMatchObject({ code: "api_error", status: 503 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(error?.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(error?.message).toContain("\\u001b[2J");
  });

  it("a non-integer admin API version is refused rather than put into the path", async () => {
    const error = await failure(createAdminClient({ baseUrl: server.url, retry: false }).services.list());
    expect(error).toMatchObject({ code: "invalid_response" });
  });
});
