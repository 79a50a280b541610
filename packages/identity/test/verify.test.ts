import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CryptoName,
  createSigner,
  createVerifier,
  generateKeyPair,
  IdentityError,
  type VerificationResult,
} from "../src/index.js";
import {
  forge,
  headersFor,
  nowSeconds,
  SERVER_TEST_KEY_PEM,
  SERVER_TEST_KID,
  serverClaims,
  serverHeader,
} from "./helpers.js";

const OTHER = generateKeyPair();
const BACKENDS: CryptoName[] = ["node", "webcrypto", "noble"];

function codeOf(result: VerificationResult): string {
  return result.ok ? "ok" : result.code;
}

describe("createVerifier: construction fails closed", () => {
  it("refuses an empty key list unless allowUnsigned is explicit", () => {
    expect(() => createVerifier({ keys: [] })).toThrow(expect.objectContaining({ code: "no_keys" }));
    expect(createVerifier({ keys: [], allowUnsigned: true }).keyIds).toEqual([]);
  });

  it("names the offending key by index and reason", () => {
    try {
      createVerifier({ keys: [SERVER_TEST_KID, "publickeyv1_", "nope"] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IdentityError);
      expect(error).toMatchObject({ code: "invalid_public_key", keyIndex: 1, problem: "length" });
      expect((error as Error).message).toMatch(/^key #1: /);
    }
    expect(() => createVerifier({ keys: [SERVER_TEST_KID, "nope"] })).toThrow(
      expect.objectContaining({ keyIndex: 1, problem: "prefix" }),
    );
  });

  it("rejects nonsense options", () => {
    for (const bad of [
      { keys: [SERVER_TEST_KID], clockToleranceSeconds: -1 },
      { keys: [SERVER_TEST_KID], clockToleranceSeconds: Number.NaN },
      { keys: [SERVER_TEST_KID], cache: { maxEntries: 0 } },
      { keys: [SERVER_TEST_KID], crypto: "openssl" as "node" },
      { keys: SERVER_TEST_KID as unknown as string[] },
    ])
      expect(() => createVerifier(bad)).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });
});

describe.each(BACKENDS)("verify with the %s backend", (backend) => {
  const verifier = createVerifier({ keys: [SERVER_TEST_KID], crypto: backend, cache: false });

  it("reports the backend it uses", async () => {
    expect(await verifier.ready()).toBe(backend);
    expect(verifier.crypto).toBe(backend);
  });

  it("accepts a server-format token and returns the key and claims", async () => {
    const iat = nowSeconds();
    const token = forge(serverHeader(), serverClaims("/invoke/Greeter/greet", iat));
    const result = await verifier.verify(headersFor(token), "/invoke/Greeter/greet");
    expect(result).toEqual({
      ok: true,
      signed: true,
      keyId: SERVER_TEST_KID,
      claims: { aud: "/invoke/Greeter/greet", exp: iat + 60, iat, nbf: iat - 60 },
    });
    expect(codeOf(await verifier.verify(headersFor(token), "/some/prefix/invoke/Greeter/greet"))).toBe("ok");
    expect(codeOf(await verifier.verify(headersFor(token), "/invoke/Greeter/other"))).toBe("audience_mismatch");
  });

  it("rejects another key's signature and any tampering", async () => {
    const aud = "/discover";
    const good = forge(serverHeader(), serverClaims(aud));
    expect(codeOf(await verifier.verify(headersFor(good), aud))).toBe("ok");
    expect(
      codeOf(await verifier.verify(headersFor(forge(serverHeader(), serverClaims(aud), OTHER.privateKeyPem)), aud)),
    ).toBe("bad_signature");
    const [h, p, s] = good.split(".") as [string, string, string];
    const otherPayload = Buffer.from(serverClaims("/discover", nowSeconds() + 1)).toString("base64url");
    expect(codeOf(await verifier.verify(headersFor(`${h}.${otherPayload}.${s}`), aud))).toBe("bad_signature");
    const flipped = Buffer.from(s, "base64url");
    flipped[10] = (flipped[10] as number) ^ 0x01;
    expect(codeOf(await verifier.verify(headersFor(`${h}.${p}.${flipped.toString("base64url")}`), aud))).toBe(
      "bad_signature",
    );
  });
});

describe("rejection codes", () => {
  const iat = 1_700_000_000;
  let clock = iat * 1000;
  const now = () => clock;
  const verifier = createVerifier({ keys: [SERVER_TEST_KID], now, cache: false });
  const aud = "/invoke/S/h";
  const token = (payload: string, header = serverHeader()) => forge(header, payload);
  const verify = async (headers: Parameters<typeof verifier.verify>[0], path = aud) => verifier.verify(headers, path);
  afterEach(() => {
    clock = iat * 1000;
  });

  it("covers the signature scheme header", async () => {
    expect(codeOf(await verify({}))).toBe("missing_scheme");
    expect(codeOf(await verify({ "x-restate-signature-scheme": "unsigned" }))).toBe("unsigned");
    expect(codeOf(await verify({ "x-restate-signature-scheme": "v2" }))).toBe("unknown_scheme");
    expect(codeOf(await verify({ "x-restate-signature-scheme": "V1" }))).toBe("unknown_scheme");
    expect(codeOf(await verify({ "x-restate-signature-scheme": "v1" }))).toBe("missing_token");
    expect(codeOf(await verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": "" }))).toBe("missing_token");
    expect(codeOf(await verify({ "x-restate-signature-scheme": ["v1", "v1"] }))).toBe("duplicate_header");
    const good = token(serverClaims(aud, iat));
    expect(codeOf(await verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": [good, good] }))).toBe(
      "duplicate_header",
    );
    expect(
      codeOf(
        await verify([
          ["x-restate-signature-scheme", "v1"],
          ["x-restate-jwt-v1", good],
          ["X-Restate-Jwt-V1", good],
        ]),
      ),
    ).toBe("duplicate_header");
    expect(
      codeOf(await verify({ "x-restate-signature-scheme": "v1", "X-RESTATE-JWT-V1": good, "x-restate-jwt-v1": good })),
    ).toBe("duplicate_header");
  });

  it("reads every header shape", async () => {
    const good = token(serverClaims(aud, iat));
    const shapes: Parameters<typeof verifier.verify>[0][] = [
      headersFor(good),
      { "X-Restate-Signature-Scheme": "v1", "X-Restate-JWT-V1": good },
      { "x-restate-signature-scheme": ["v1"], "x-restate-jwt-v1": [good], other: undefined },
      new Headers(headersFor(good)),
      new Map(Object.entries(headersFor(good))),
      Object.entries(headersFor(good)),
    ];
    for (const headers of shapes) expect(codeOf(await verify(headers))).toBe("ok");
  });

  it("classifies malformed tokens", async () => {
    const good = token(serverClaims(aud, iat));
    const [h, p, s] = good.split(".") as [string, string, string];
    const cases: [string, string][] = [
      ["abc", "malformed_token"],
      [`${h}.${p}`, "malformed_token"],
      [`${h}.${p}.${s}.x`, "malformed_token"],
      [`${h}.${p}.`, "malformed_token"],
      [`.${p}.${s}`, "malformed_token"],
      [`${h}.${p}.${s}=`, "malformed_token"],
      [`${h}.${p}.${s.slice(0, -1)}`, "malformed_token"],
      [`${h}.${p}.${s.slice(0, -1)}B`, "malformed_token"], // non-canonical trailing bits
      [`${h}.${p}+.${s}`, "malformed_token"],
      [`${Buffer.from("not json").toString("base64url")}.${p}.${s}`, "malformed_token"],
      [`${Buffer.from("[1]").toString("base64url")}.${p}.${s}`, "malformed_token"],
      [`${h}.${Buffer.from([0xff, 0xfe]).toString("base64url")}.${s}`, "malformed_token"],
      [token(serverClaims(aud, iat), '{"alg":"EdDSA","alg":"EdDSA"}'), "malformed_token"],
      [token(`{"aud":"${aud}","aud":"/other","exp":${iat + 60},"iat":${iat},"nbf":${iat - 60}}`), "malformed_token"],
      [token(`{"aud":"${aud}","\\u0061ud":"/x","exp":${iat + 60},"iat":${iat},"nbf":${iat - 60}}`), "malformed_token"],
      [token(serverClaims(aud, iat), '{"typ":"JOSE+JSON","alg":"EdDSA"}'), "malformed_token"],
      [token(serverClaims(aud, iat), '{"alg":"EdDSA","crit":["exp"]}'), "malformed_token"],
      [token(serverClaims(aud, iat), '{"alg":"EdDSA","kid":7}'), "malformed_token"],
      ["a".repeat(9000), "malformed_token"],
      [token(serverClaims(aud, iat), '{"alg":"none"}'), "unsupported_algorithm"],
      [token(serverClaims(aud, iat), '{"alg":"HS256"}'), "unsupported_algorithm"],
      [token(serverClaims(aud, iat), '{"alg":"eddsa"}'), "unsupported_algorithm"],
      [token(serverClaims(aud, iat), '{"typ":"JWT"}'), "unsupported_algorithm"],
    ];
    for (const [value, code] of cases) {
      const result = await verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": value });
      expect([value.slice(0, 60), codeOf(result)]).toEqual([value.slice(0, 60), code]);
    }
  });

  it("requires all claims with the right types", async () => {
    const full = { aud, exp: iat + 60, iat, nbf: iat - 60 };
    for (const name of ["aud", "exp", "iat", "nbf"] as const) {
      const { [name]: _dropped, ...rest } = full;
      const result = await verify(headersFor(token(JSON.stringify(rest))));
      expect(result).toMatchObject({ ok: false, code: "missing_claim", message: `the token has no "${name}" claim` });
    }
    const invalid: Record<string, unknown>[] = [
      { exp: iat + 60.5 },
      { exp: `${iat + 60}` },
      { nbf: -1 },
      { iat: null },
      { exp: 1e300 },
      { aud: [aud] },
      { aud: 5 },
      { sub: 5 },
    ];
    for (const patch of invalid) {
      const result = await verify(headersFor(token(JSON.stringify({ ...full, ...patch }))));
      expect([patch, codeOf(result)]).toEqual([patch, "invalid_claim"]);
    }
    const withSub = await verify(headersFor(token(JSON.stringify({ ...full, sub: "someone", extra: { x: 1 } }))));
    expect(withSub).toMatchObject({ ok: true, claims: { sub: "someone" } });
  });

  it("checks exp and nbf to the second, with optional tolerance", async () => {
    const t = token(serverClaims(aud, iat)); // nbf = iat-60, exp = iat+60
    clock = (iat + 60) * 1000 + 999;
    expect(codeOf(await verify(headersFor(t)))).toBe("ok");
    clock = (iat + 61) * 1000;
    const expired = await verify(headersFor(t));
    expect(expired).toMatchObject({ ok: false, code: "expired", message: "the token expired 1 s ago" });
    clock = (iat - 60) * 1000;
    expect(codeOf(await verify(headersFor(t)))).toBe("ok");
    clock = (iat - 61) * 1000 + 999;
    expect(await verify(headersFor(t))).toMatchObject({
      code: "not_yet_valid",
      message: expect.stringContaining("1 s"),
    });

    const tolerant = createVerifier({ keys: [SERVER_TEST_KID], now, clockToleranceSeconds: 5, cache: false });
    clock = (iat + 65) * 1000;
    expect(codeOf(await tolerant.verify(headersFor(t), aud))).toBe("ok");
    clock = (iat + 66) * 1000;
    expect(codeOf(await tolerant.verify(headersFor(t), aud))).toBe("expired");
    clock = (iat - 65) * 1000;
    expect(codeOf(await tolerant.verify(headersFor(t), aud))).toBe("ok");
    clock = (iat - 66) * 1000;
    expect(codeOf(await tolerant.verify(headersFor(t), aud))).toBe("not_yet_valid");
  });

  it("explains an audience mismatch with both paths", async () => {
    const result = await verify(headersFor(token(serverClaims("/invoke/A/x", iat))), "/invoke/A/y");
    expect(result).toEqual({
      ok: false,
      code: "audience_mismatch",
      message: 'token audience "/invoke/A/x", request path "/invoke/A/y"',
    });
  });

  it("never puts key material in messages", async () => {
    const messages: string[] = [];
    const good = token(serverClaims(aud, iat));
    for (const value of [good, good.slice(0, -2), forge(serverHeader(), serverClaims(aud, iat), OTHER.privateKeyPem)]) {
      const result = await verifier.verify(headersFor(value), "/elsewhere");
      if (!result.ok) messages.push(result.message);
    }
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(message).not.toContain(SERVER_TEST_KID.slice(12));
      expect(message).not.toContain(OTHER.publicKey.slice(12));
      expect(message).not.toContain("PRIVATE");
    }
  });
});

describe("validated header segments are remembered safely", () => {
  // Restate repeats one header segment per key, so parsing remembers validated ones (bounded).
  const iat = 1_700_000_000;
  const verifier = createVerifier({ keys: [SERVER_TEST_KID], now: () => iat * 1000, cache: false });
  const aud = "/invoke/S/h";

  it("still judges every other header on its own, before and after the memory fills and is cleared", async () => {
    const good = forge(serverHeader(), serverClaims(aud, iat));
    expect(codeOf(await verifier.verify(headersFor(good), aud))).toBe("ok");
    for (let round = 0; round < 3; round++) {
      // 40 distinct valid headers (more than are remembered) with unknown kids: only the signature decides.
      for (let i = 0; i < 40; i++) {
        const hinted = forge(serverHeader(`publickeyv1_unknown${round}x${i}`), serverClaims(aud, iat));
        expect(codeOf(await verifier.verify(headersFor(hinted), aud))).toBe("ok");
      }
      const none = forge(JSON.stringify({ typ: "JWT", alg: "none", kid: SERVER_TEST_KID }), serverClaims(aud, iat));
      expect(codeOf(await verifier.verify(headersFor(none), aud))).toBe("unsupported_algorithm");
      const crit = forge(JSON.stringify({ typ: "JWT", alg: "EdDSA", crit: ["b64"] }), serverClaims(aud, iat));
      expect(codeOf(await verifier.verify(headersFor(crit), aud))).toBe("malformed_token");
      expect(codeOf(await verifier.verify(headersFor(good), aud))).toBe("ok");
      const noKid = forge(JSON.stringify({ typ: "JWT", alg: "EdDSA" }), serverClaims(aud, iat));
      expect(codeOf(await verifier.verify(headersFor(noKid), aud))).toBe("ok");
    }
  });
});

describe("allowUnsigned", () => {
  it("accepts unsigned and scheme-less requests but still verifies signed ones", async () => {
    const verifier = createVerifier({ keys: [SERVER_TEST_KID], allowUnsigned: true });
    expect(await verifier.verify({ "x-restate-signature-scheme": "unsigned" }, "/discover")).toEqual({
      ok: true,
      signed: false,
      keyId: undefined,
      claims: undefined,
    });
    expect(codeOf(await verifier.verify({}, "/discover"))).toBe("ok");
    const bad = forge(serverHeader(), serverClaims("/discover"), OTHER.privateKeyPem);
    expect(codeOf(await verifier.verify(headersFor(bad), "/discover"))).toBe("bad_signature");
  });

  it("with no keys, a signed request cannot be verified and is rejected", async () => {
    const verifier = createVerifier({ keys: [], allowUnsigned: true });
    const signed = forge(serverHeader(), serverClaims("/discover"));
    expect(await verifier.verify(headersFor(signed), "/discover")).toMatchObject({ ok: false, code: "bad_signature" });
  });
});

describe("key rotation", () => {
  it("accepts a token from any configured key, using kid only as a hint", async () => {
    const verifier = createVerifier({ keys: [OTHER.publicKey, SERVER_TEST_KID], cache: false });
    const byServerKey = forge(serverHeader(), serverClaims("/discover"));
    expect(await verifier.verify(headersFor(byServerKey), "/discover")).toMatchObject({
      ok: true,
      keyId: SERVER_TEST_KID,
    });
    // Lying kid: names the other key, signed by the server key → still verified by the key that signed it.
    const lyingKid = forge(serverHeader(OTHER.publicKey), serverClaims("/discover"));
    expect(await verifier.verify(headersFor(lyingKid), "/discover")).toMatchObject({
      ok: true,
      keyId: SERVER_TEST_KID,
    });
    const noKid = forge('{"alg":"EdDSA"}', serverClaims("/discover"), OTHER.privateKeyPem);
    expect(await verifier.verify(headersFor(noKid), "/discover")).toMatchObject({ ok: true, keyId: OTHER.publicKey });
    const third = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const unknown = forge(serverHeader(SERVER_TEST_KID), serverClaims("/discover"), third);
    expect(await verifier.verify(headersFor(unknown), "/discover")).toMatchObject({
      ok: false,
      code: "bad_signature",
      message: "the signature does not verify with any of the 2 configured keys",
    });
  });
});

describe("verified-token cache", () => {
  const nodeCrypto = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  afterEach(() => vi.restoreAllMocks());

  it("skips the signature check for a repeated token but re-checks time and audience", async () => {
    let clock = Date.now();
    const verifier = createVerifier({ keys: [SERVER_TEST_KID], crypto: "node", now: () => clock });
    await verifier.ready();
    const spy = vi.spyOn(nodeCrypto, "verify");
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, now: () => clock });
    const headers = await signer.sign("/invoke/S/h");
    expect(codeOf(await verifier.verify(headers, "/invoke/S/h"))).toBe("ok");
    const callsAfterFirst = spy.mock.calls.length;
    expect(callsAfterFirst).toBeGreaterThanOrEqual(1);
    expect(codeOf(await verifier.verify(headers, "/invoke/S/h"))).toBe("ok");
    expect(codeOf(await verifier.verify(headers, "/p/invoke/S/h"))).toBe("ok");
    expect(codeOf(await verifier.verify(headers, "/invoke/S/other"))).toBe("audience_mismatch");
    expect(spy.mock.calls.length).toBe(callsAfterFirst);
    clock += 61_000;
    expect(codeOf(await verifier.verify(headers, "/invoke/S/h"))).toBe("expired");
    expect(spy.mock.calls.length).toBe(callsAfterFirst);
  });

  it("does not cache when disabled, and never caches failures", async () => {
    const uncached = createVerifier({ keys: [SERVER_TEST_KID], crypto: "node", cache: false });
    const cached = createVerifier({ keys: [SERVER_TEST_KID], crypto: "node" });
    await Promise.all([uncached.ready(), cached.ready()]);
    const spy = vi.spyOn(nodeCrypto, "verify");
    const good = headersFor(forge(serverHeader(), serverClaims("/discover")));
    await uncached.verify(good, "/discover");
    await uncached.verify(good, "/discover");
    expect(spy).toHaveBeenCalledTimes(2);
    const bad = headersFor(forge(serverHeader(), serverClaims("/discover"), OTHER.privateKeyPem));
    expect(codeOf(await cached.verify(bad, "/discover"))).toBe("bad_signature");
    expect(codeOf(await cached.verify(bad, "/discover"))).toBe("bad_signature");
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it("is bounded: the least recently used token is evicted", async () => {
    const verifier = createVerifier({ keys: [SERVER_TEST_KID], crypto: "node", cache: { maxEntries: 2 } });
    await verifier.ready();
    const spy = vi.spyOn(nodeCrypto, "verify");
    const t = (path: string) => headersFor(forge(serverHeader(), serverClaims(path)));
    const a = t("/invoke/S/a");
    const b = t("/invoke/S/b");
    const c = t("/invoke/S/c");
    await verifier.verify(a, "/invoke/S/a");
    await verifier.verify(b, "/invoke/S/b");
    await verifier.verify(a, "/invoke/S/a"); // a is now most recent
    await verifier.verify(c, "/invoke/S/c"); // evicts b
    expect(spy).toHaveBeenCalledTimes(3);
    await verifier.verify(a, "/invoke/S/a");
    expect(spy).toHaveBeenCalledTimes(3);
    await verifier.verify(b, "/invoke/S/b");
    expect(spy).toHaveBeenCalledTimes(4);
  });
});

describe("odd JSON values in the header get their precise code, never an internal error", () => {
  it("alg and typ as objects whose toString is not a function", async () => {
    const verifier = createVerifier({ keys: [SERVER_TEST_KID], cache: false });
    const aud = "/invoke/S/h";
    const claims = serverClaims(aud);
    const alg = await verifier.verify(headersFor(forge('{"alg":{"toString":1}}', claims)), aud);
    expect(alg).toMatchObject({
      ok: false,
      code: "unsupported_algorithm",
      message: 'JWT alg is of type object, only "EdDSA" is accepted',
    });
    const typ = await verifier.verify(headersFor(forge('{"alg":"EdDSA","typ":{"toString":1}}', claims)), aud);
    expect(typ).toMatchObject({ ok: false, code: "malformed_token" });
  });
});
