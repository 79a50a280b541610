// Differential test against the SDK's own verifier (sdk-shared-core's WasmIdentityVerifier, the code
// behind the SDK's `identityKeys`), in process, over a generated corpus of near-valid tokens: every
// token the SDK rejects, we reject. (We also reject more: see the README's security section.)
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, generateKeyPair } from "../src/index.js";
import { b64url, forge, loadSdkBindings, nowSeconds, type SdkBindings, SERVER_TEST_KID } from "./helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);

let sdk: SdkBindings;
beforeAll(async () => {
  sdk = await loadSdkBindings();
});

const other = generateKeyPair();
const now = nowSeconds();
// Times far from every boundary, so the second ticking between the two verifiers changes nothing.
const time = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(-3600, -600, -120, 120, 600, 3600).map((d) => String(now + d)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "-5",
      "0",
      `${now}.5`,
      `"${now}"`,
      "null",
      "1e400",
      "99999999999999999999",
      "true",
      "[1]",
    ),
  },
);
const jsonString = fc.oneof(
  fc.constantFrom('"x"', '"\\ud800"', '"\\udc00"', '"\\ud83d\\ude00"', '"a\\u0000b"', '"é"', '""', '"\\ufeff"'),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
);
const jsonValue = fc.oneof(jsonString, fc.constantFrom("1", "null", "true", "[]", "{}", '["x"]', '{"kty":"OKP"}'));
const PATHS = ["/invoke/Svc/h", "/discover", "/pre/fix/invoke/Svc/h", "/invoke/Svc/other"];
const aud = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATHS).map((p) => JSON.stringify(p)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('["/invoke/Svc/h"]', "null", "5", '"/invoke/Svc/h\\ud800"', '"invoke/Svc/h"'),
  },
);
/** Mostly the value restate-server sends, sometimes something else, so most tokens differ from a valid one in one place. */
const mostly = (usual: string, unusual: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 12, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: unusual });
const member = (name: string, value: fc.Arbitrary<string>) =>
  fc.option(
    value.map((v) => `"${name}":${v}`),
    { nil: undefined, freq: 20 },
  );
const rarely = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
const HEADER_EXTRAS = [
  "b64",
  "jwk",
  "jku",
  "x5u",
  "x5c",
  "x5t",
  "x5t#S256",
  "cty",
  "crit",
  "zip",
  "enc",
  "foo",
  "__proto__",
];
const bom = mostly("", fc.constantFrom("\ufeff", " ", "\n"));

const header = fc
  .record({
    typ: member("typ", mostly('"JWT"', fc.constantFrom('"jwt"', '"JOSE"', "null", "5"))),
    alg: fc.oneof(
      { weight: 20, arbitrary: fc.constant('"alg":"EdDSA"') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('"alg":"none"', '"alg":"HS256"', '"alg":"ed25519"', '"alg":"EdDSA\\ud800"'),
      },
    ),
    kid: member(
      "kid",
      mostly(
        JSON.stringify(SERVER_TEST_KID),
        fc.constantFrom(JSON.stringify(other.publicKey), "null", "5", '"\\ud800"'),
      ),
    ),
    extra: rarely(fc.tuple(fc.constantFrom(...HEADER_EXTRAS), jsonValue)),
    duplicate: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    prefix: bom,
  })
  .map(({ typ, alg, kid, extra, duplicate, prefix }) => {
    const members = [typ, alg, kid, extra && `"${extra[0]}":${extra[1]}`].filter((m) => m !== undefined);
    if (duplicate && members.length > 0) members.push(members[0] as string);
    return `${prefix}{${members.join(",")}}`;
  });

const payload = fc
  .record({
    aud: member("aud", mostly('"/invoke/Svc/h"', aud)),
    exp: member("exp", mostly(String(now + 600), time)),
    iat: member("iat", mostly(String(now), time)),
    nbf: member("nbf", mostly(String(now - 600), time)),
    sub: fc.option(member("sub", jsonString), { nil: undefined, freq: 2 }),
    extra: rarely(fc.tuple(fc.constantFrom("iss", "x", "\\ud800", "a\\u0075d", "aud"), jsonValue)),
    prefix: bom,
  })
  .map(({ aud, exp, iat, nbf, sub, extra, prefix }) => {
    const members = [aud, exp, iat, nbf, sub, extra && `"${extra[0]}":${extra[1]}`].filter((m) => m !== undefined);
    return `${prefix}{${members.join(",")}}`;
  });

const token = fc
  .record({
    header,
    payload,
    signer: mostly("server", fc.constantFrom("other", "flip")),
  })
  .map(({ header, payload, signer }) => {
    const signed = forge(header, payload, signer === "other" ? other.privateKeyPem : undefined);
    if (signer !== "flip") return signed;
    const at = signed.lastIndexOf(".") + 3;
    return signed.slice(0, at) + (signed[at] === "A" ? "B" : "A") + signed.slice(at + 1);
  });

const request = fc.record({
  token,
  path: mostly("/invoke/Svc/h", fc.constantFrom(...PATHS)),
  scheme: fc.oneof(
    { weight: 12, arbitrary: fc.constant<string | undefined>("v1") },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>("V1", "unsigned", undefined) },
  ),
});

describe("differential: everything the SDK's verifier rejects, we reject", () => {
  it("over a generated corpus of near-valid tokens", { timeout: 300_000 }, async () => {
    const ours = createVerifier({ keys: [SERVER_TEST_KID], cache: false });
    const theirs = new sdk.WasmIdentityVerifier([SERVER_TEST_KID]);
    const tally = { bothAccept: 0, bothReject: 0, onlyWeReject: 0 };
    await fc.assert(
      fc.asyncProperty(request, async ({ token, path, scheme }) => {
        const headers: Record<string, string> = { "x-restate-jwt-v1": token };
        if (scheme !== undefined) headers["x-restate-signature-scheme"] = scheme;
        let sdkAccepts = true;
        try {
          theirs.verify_identity(
            path,
            Object.entries(headers).map(([k, v]) => new sdk.WasmHeader(k, v)),
          );
        } catch {
          sdkAccepts = false;
        }
        const result = await ours.verify(headers, path);
        if (!sdkAccepts) expect({ token, path, scheme, ours: result.ok }).toEqual({ token, path, scheme, ours: false });
        if (sdkAccepts && result.ok) tally.bothAccept++;
        else if (!sdkAccepts) tally.bothReject++;
        else tally.onlyWeReject++;
      }),
      { numRuns: Math.max(RUNS, 300) },
    );
    // The corpus must exercise both sides, or the property says nothing.
    expect(tally.bothAccept).toBeGreaterThan(0);
    expect(tally.bothReject).toBeGreaterThan(0);
    console.info("SDK differential:", JSON.stringify(tally));
  });

  it("the specific differences found by review: BOM, lone surrogates, b64/jwk/x5c/crit header members", async () => {
    const ours = createVerifier({ keys: [SERVER_TEST_KID], cache: false });
    const theirs = new sdk.WasmIdentityVerifier([SERVER_TEST_KID]);
    const claims = `{"aud":"/discover","exp":${now + 60},"iat":${now},"nbf":${now - 60}}`;
    const h = `{"typ":"JWT","alg":"EdDSA","kid":"${SERVER_TEST_KID}"`;
    const cases = [
      forge(`\ufeff${h}}`, claims),
      forge(`${h}}`, `\ufeff${claims}`),
      forge(`${h}}`, `${claims.slice(0, -1)},"sub":"\\udc00"}`),
      forge(`${h},"kid2":"\\ud800"}`, claims),
      forge(`${h},"b64":false}`, claims),
      forge(`${h},"jwk":{"kty":"OKP"}}`, claims),
      forge(`${h},"x5c":"x"}`, claims),
      forge(`${h},"crit":"b64"}`, claims),
    ];
    for (const t of cases) {
      const headers = { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": t };
      expect(() =>
        theirs.verify_identity(
          "/discover",
          Object.entries(headers).map(([k, v]) => new sdk.WasmHeader(k, v)),
        ),
      ).toThrow();
      expect(await ours.verify(headers, "/discover")).toMatchObject({ ok: false, code: "malformed_token" });
    }
    // And where the SDK is looser, we still refuse: a lone leading surrogate in sub, jku, b64 as a string.
    for (const t of [
      forge(`${h}}`, `${claims.slice(0, -1)},"sub":"\\ud800"}`),
      forge(`${h},"jku":"https://attacker.example/keys"}`, claims),
      forge(`${h},"b64":"x"}`, claims),
    ])
      expect(
        await ours.verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": t }, "/discover"),
      ).toMatchObject({
        ok: false,
        code: "malformed_token",
      });
    expect(b64url("x")).toBe("eA");
  });
});
