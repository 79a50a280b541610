import { describe, expect, it } from "vitest";
import { toBase64 } from "../src/bytes.js";
import { createDecodeHandler, createJournalCodec } from "../src/index.js";
import { localProvider, text } from "./helpers.js";

const TOKEN = "Bearer operator-token";

async function setup() {
  const codec = await createJournalCodec({ keyProvider: localProvider().provider });
  const handler = createDecodeHandler({ codec, authorize: (req) => req.headers.get("authorization") === TOKEN });
  const post = (body: unknown, auth = TOKEN) =>
    handler(
      new Request("http://decoder/decode", {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
  return { codec, handler, post };
}

describe("createDecodeHandler", () => {
  it("decodes authorized requests value by value", async () => {
    const { codec, post } = await setup();
    const sealed = toBase64(codec.encode(text('{"order":42}')));
    const binary = toBase64(codec.encode(Uint8Array.of(0xff, 0xfe)));
    const tampered = codec.encode(text("x"));
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    const response = await post({ values: [sealed, binary, toBase64(tampered), "%%%"] });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      results: [
        { ok: true, base64: toBase64(text('{"order":42}')), text: '{"order":42}' },
        { ok: true, base64: "//4=" },
        { ok: false, code: "authentication_failed", message: expect.any(String) },
        { ok: false, code: "invalid_request", message: "value is not a base64 string" },
      ],
    });
  });

  it("refuses requests authorize rejects (or throws on) before reading them", async () => {
    const { codec, post } = await setup();
    const sealed = toBase64(codec.encode(text("secret")));
    const refused = await post({ values: [sealed] }, "Bearer wrong");
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("secret");
    const throwing = createDecodeHandler({
      codec,
      authorize: () => {
        throw new Error("idp down");
      },
    });
    expect((await throwing(new Request("http://d/", { method: "POST", body: "{}" }))).status).toBe(403);
  });

  it("answers bad requests with clear errors", async () => {
    const { handler, post } = await setup();
    expect((await handler(new Request("http://d/", { headers: { authorization: TOKEN } }))).status).toBe(405);
    expect((await post("not json")).status).toBe(400);
    expect((await post({ values: [] })).status).toBe(400);
    expect((await post({ values: Array.from({ length: 101 }, () => "AA==") })).status).toBe(400);
    const small = createDecodeHandler({
      codec: { decode: async (v: Uint8Array) => v },
      authorize: () => true,
      maxBodyBytes: 10,
    });
    expect(
      (await small(new Request("http://d/", { method: "POST", body: JSON.stringify({ values: ["AAAA"] }) }))).status,
    ).toBe(413);
    expect(() => createDecodeHandler({ codec: { decode: async (v: Uint8Array) => v } } as never)).toThrow(
      /authorize is required/,
    );
  });
});

describe("createDecodeHandler options", () => {
  it("refuses limits that are not positive integers", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    for (const limits of [{ maxBodyBytes: 0 }, { maxBodyBytes: Number.NaN }, { maxValues: -1 }, { maxValues: 1.5 }]) {
      expect(() => createDecodeHandler({ codec, authorize: () => true, ...limits })).toThrowError(
        expect.objectContaining({ code: "invalid_option" }) as never,
      );
    }
  });
});

describe("createDecodeHandler over a real HTTP connection", () => {
  it("stops reading a chunked body (no Content-Length) at maxBodyBytes and answers 413", async () => {
    const { createServer, request } = await import("node:http");
    const { Readable } = await import("node:stream");
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const maxBodyBytes = 64 * 1024;
    const handler = createDecodeHandler({ codec, authorize: () => true, maxBodyBytes });
    let consumed = 0;
    const server = createServer(async (req, res) => {
      req.on("data", (chunk: Buffer) => {
        consumed += chunk.length;
      });
      const body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      const response = await handler(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body,
          duplex: "half",
        } as RequestInit),
      );
      res.writeHead(response.status, { "content-type": "application/json", connection: "close" });
      res.end(Buffer.from(await response.arrayBuffer()));
      req.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const sent = { bytes: 0 };
      const status = await new Promise<number>((resolve, reject) => {
        const client = request({ host: "127.0.0.1", port, method: "POST", path: "/decode" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        client.on("error", (error) => (sent.bytes > maxBodyBytes ? undefined : reject(error)));
        client.setHeader("transfer-encoding", "chunked");
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        // Up to 64 MiB, written as the connection accepts it; the server answers long before.
        const pump = () => {
          while (sent.bytes < 64 * 1024 * 1024 && !client.destroyed) {
            sent.bytes += chunk.length;
            if (!client.write(chunk)) return void client.once("drain", pump);
          }
          client.end();
        };
        pump();
      });
      expect(status).toBe(413);
      // The handler pulled at most the limit plus the chunks already in flight, not the whole body.
      expect(consumed).toBeLessThan(maxBodyBytes + 2 * 1024 * 1024);
      expect(sent.bytes).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
