import { describe, expect, it } from "vitest";
import type { AdapterRejection } from "../src/adapters/core.js";
import { withIdentity } from "../src/adapters/lambda.js";
import { createSigner, generateKeyPair } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
const other = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });

describe("lambda adapter with API Gateway and function-URL events", () => {
  const rejections: AdapterRejection[] = [];
  const handler = withIdentity(
    async (event: { path?: string; rawPath?: string }) => ({ statusCode: 200, body: "ran", event }),
    {
      keys: [SERVER_TEST_KID],
      onReject: (r) => rejections.push(r),
    },
  );

  it("API Gateway REST (v1) events use path", async () => {
    const ok = await handler({ path: "/prod/invoke/S/h", headers: { ...(await signer.sign("/invoke/S/h")) } }, {});
    expect(ok).toMatchObject({ statusCode: 200, body: "ran" });
    const noHeaders = await handler({ path: "/invoke/S/h", headers: null }, {});
    expect(noHeaders).toEqual({
      statusCode: 401,
      headers: { "content-type": "application/json" },
      body: '{"code":"missing_scheme"}',
      isBase64Encoded: false,
    });
  });

  it("HTTP API (v2) and function-URL events use rawPath", async () => {
    const event = (headers: Record<string, string>) => ({
      version: "2.0",
      rawPath: "/invoke/S/h",
      rawQueryString: "",
      headers,
      requestContext: { http: { method: "POST", path: "/invoke/S/h" } },
    });
    expect(await handler(event({ ...(await signer.sign("/invoke/S/h")) }), {})).toMatchObject({ statusCode: 200 });
    expect(await handler(event({ ...(await other.sign("/invoke/S/h")) }), {})).toMatchObject({
      statusCode: 401,
      body: '{"code":"bad_signature"}',
    });
    expect(rejections.at(-1)?.code).toBe("bad_signature");
  });
});
