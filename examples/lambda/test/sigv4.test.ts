import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { NodeSha256, verifySigV4 } from "./support/sigv4.ts";

// The Lambda stand-in's signature check must be able to say no, or the end-to-end proof proves nothing.
// (The same check accepts the signatures restate-server's Rust SDK makes: see lambda.int.test.ts.)

const credentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret-one", sessionToken: "token-one" };
const path = `/2015-03-31/functions/${encodeURIComponent("arn:aws:lambda:us-east-1:123456789012:function:f:1")}/invocations`;
const body = Buffer.from('{"path":"/invoke/S/h"}');

async function signed() {
  const signer = new SignatureV4({
    credentials,
    region: "us-east-1",
    service: "lambda",
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const request = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 8080,
    path,
    query: {},
    headers: { host: "127.0.0.1:8080", "content-type": "application/json" },
    body,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { method: "POST", rawUrl: path, headers, body };
}

describe("verifySigV4", () => {
  it("accepts a request signed with the credentials", async () => {
    expect(await verifySigV4(await signed(), credentials)).toMatchObject({
      ok: true,
      accessKeyId: "ASIAEXAMPLE",
      service: "lambda",
    });
  });

  it("rejects a changed body, a changed target, a changed signed header and another secret", async () => {
    const request = await signed();
    expect(await verifySigV4({ ...request, body: Buffer.from('{"path":"/invoke/S/x"}') }, credentials)).toMatchObject({
      ok: false,
    });
    expect(await verifySigV4({ ...request, rawUrl: path.replace("f%3A1", "f%3A2") }, credentials)).toMatchObject({
      ok: false,
    });
    expect(
      await verifySigV4({ ...request, headers: { ...request.headers, "content-type": "text/plain" } }, credentials),
    ).toMatchObject({ ok: false });
    expect(await verifySigV4(request, { ...credentials, secretAccessKey: "secret-two" })).toMatchObject({ ok: false });
    const { authorization: _, ...unsigned } = request.headers;
    expect(await verifySigV4({ ...request, headers: unsigned }, credentials)).toMatchObject({ ok: false });
  });
});
