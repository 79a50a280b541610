import { createHmac } from "node:crypto";
import { serveEndpoint } from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigner, createVerifier, generateKeyPair } from "../src/index.js";
import { parsePublicKey } from "../src/keys.js";
import {
  b64url,
  forge,
  nowSeconds,
  SERVER_TEST_KEY_PEM,
  SERVER_TEST_KID,
  serverClaims,
  serverHeader,
} from "./helpers.js";

const greeter = restate.service({ name: "Greeter", handlers: { greet: async (_ctx: restate.Context) => "hi" } });
const ACCEPT = "application/vnd.restate.endpointmanifest.v3+json";

/** A corpus of identity headers for a request to /discover, each with the outcome we expect from the SDK and from us. */
async function corpus(): Promise<{ name: string; headers: Record<string, string>; sdk: boolean; ours: boolean }[]> {
  const now = nowSeconds();
  const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
  const other = generateKeyPair();
  const v1 = (token: string) => ({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token });
  const claims = (patch: Record<string, unknown>, drop?: string) => {
    const base: Record<string, unknown> = { aud: "/discover", exp: now + 60, iat: now, nbf: now - 60, ...patch };
    if (drop) delete base[drop];
    return JSON.stringify(base);
  };
  const good = forge(serverHeader(), serverClaims("/discover", now));
  const [h, p, s] = good.split(".") as [string, string, string];
  const hs256Input = `${b64url('{"typ":"JWT","alg":"HS256"}')}.${p}`;
  const hs256 = `${hs256Input}.${createHmac("sha256", parsePublicKey(SERVER_TEST_KID)).update(hs256Input).digest("base64url")}`;
  const flipped = Buffer.from(s, "base64url");
  flipped[0] = (flipped[0] as number) ^ 0x80;
  const lastChar = s.at(-1) as string;
  const nonCanonical = `${h}.${p}.${s.slice(0, -1)}${String.fromCharCode(lastChar.charCodeAt(0) + 1)}`;

  return [
    { name: "our signer", headers: await signer.sign("/discover"), sdk: true, ours: true },
    { name: "our signer with sub", headers: await signer.sign("/discover", { subject: "x" }), sdk: true, ours: true },
    {
      name: "kid names another key",
      headers: v1(forge(serverHeader(other.publicKey), serverClaims("/discover"))),
      sdk: true,
      ours: true,
    },
    { name: "no kid", headers: v1(forge('{"alg":"EdDSA"}', serverClaims("/discover"))), sdk: true, ours: true },
    {
      name: "another key",
      headers: v1(forge(serverHeader(), serverClaims("/discover"), other.privateKeyPem)),
      sdk: false,
      ours: false,
    },
    { name: "expired", headers: await signer.sign("/discover", { issuedAt: now - 3600 }), sdk: false, ours: false },
    {
      name: "not yet valid",
      headers: await signer.sign("/discover", { issuedAt: now + 3600 }),
      sdk: false,
      ours: false,
    },
    { name: "other audience", headers: await signer.sign("/invoke/Greeter/greet"), sdk: false, ours: false },
    { name: "alg none", headers: v1(`${b64url('{"alg":"none"}')}.${p}.`), sdk: false, ours: false },
    { name: "HS256 with the public key as secret", headers: v1(hs256), sdk: false, ours: false },
    {
      name: "alg RS256 header",
      headers: v1(forge('{"alg":"RS256"}', serverClaims("/discover"))),
      sdk: false,
      ours: false,
    },
    {
      name: "bit-flipped signature",
      headers: v1(`${h}.${p}.${flipped.toString("base64url")}`),
      sdk: false,
      ours: false,
    },
    { name: "truncated", headers: v1(good.slice(0, -10)), sdk: false, ours: false },
    { name: "two parts", headers: v1(`${h}.${p}`), sdk: false, ours: false },
    { name: "padded signature", headers: v1(`${good}==`), sdk: false, ours: false },
    { name: "non-canonical last character", headers: v1(nonCanonical), sdk: false, ours: false },
    ...(["aud", "exp", "nbf"] as const).map((claim) => ({
      name: `missing ${claim}`,
      headers: v1(forge(serverHeader(), claims({}, claim))),
      sdk: false,
      ours: false,
    })),
    { name: "string exp", headers: v1(forge(serverHeader(), claims({ exp: `${now + 60}` }))), sdk: false, ours: false },
    {
      name: "duplicate aud",
      headers: v1(
        forge(serverHeader(), `{"aud":"/x","aud":"/discover","exp":${now + 60},"iat":${now},"nbf":${now - 60}}`),
      ),
      sdk: false,
      ours: false,
    },
    { name: "scheme unsigned", headers: { "x-restate-signature-scheme": "unsigned" }, sdk: false, ours: false },
    { name: "no scheme", headers: {}, sdk: false, ours: false },
    {
      name: "scheme v2",
      headers: { "x-restate-signature-scheme": "v2", "x-restate-jwt-v1": good },
      sdk: false,
      ours: false,
    },
    { name: "v1 without token", headers: { "x-restate-signature-scheme": "v1" }, sdk: false, ours: false },
    // Where we are deliberately stricter than the SDK (fail closed on what Restate never sends):
    {
      name: "typ is not JWT",
      headers: v1(forge('{"typ":"foo","alg":"EdDSA"}', serverClaims("/discover"))),
      sdk: true,
      ours: false,
    },
    // jsonwebtoken lists iat as required but never checks it, and reads exp as a float.
    { name: "missing iat", headers: v1(forge(serverHeader(), claims({}, "iat"))), sdk: true, ours: false },
    { name: "fractional exp", headers: v1(forge(serverHeader(), claims({ exp: now + 60.5 }))), sdk: true, ours: false },
    {
      name: "aud as an array",
      headers: v1(forge(serverHeader(), claims({ aud: ["/discover"] }))),
      sdk: true,
      ours: false,
    },
  ];
}

describe("cross-check with the SDK's own verifier (identityKeys)", () => {
  let endpoint: Awaited<ReturnType<typeof serveEndpoint>>;
  beforeAll(async () => {
    endpoint = await serveEndpoint([greeter], { identityKeys: [SERVER_TEST_KID], http1: true });
  });
  afterAll(async () => {
    await endpoint?.stop();
  });

  it("the SDK accepts our signer's tokens, and everything the SDK rejects we reject too", async () => {
    const verifier = createVerifier({ keys: [SERVER_TEST_KID], cache: false });
    const rows: { name: string; sdk: boolean; ours: boolean }[] = [];
    for (const entry of await corpus()) {
      const response = await fetch(`${endpoint.url}/discover`, { headers: { ...entry.headers, accept: ACCEPT } });
      await response.arrayBuffer();
      expect([entry.name, response.status === 401 || response.status === 200]).toEqual([entry.name, true]);
      const sdk = response.status === 200;
      const ours = (await verifier.verify(entry.headers, "/discover")).ok;
      rows.push({ name: entry.name, sdk, ours });
    }
    const expected = (await corpus()).map(({ name, sdk, ours }) => ({ name, sdk, ours }));
    expect(rows).toEqual(expected);
    for (const row of rows) if (!row.sdk) expect([row.name, row.ours]).toEqual([row.name, false]);
  });
});
