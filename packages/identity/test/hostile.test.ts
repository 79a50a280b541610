// Hostile input, property-based. CI runs FC_RUNS (default 300) cases per property; the
// benchmark-size run is `FC_RUNS=100000 npx vitest run test/hostile.test.ts`.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createVerifier, generateKeyPair, REJECTION_CODES, type VerificationResult } from "../src/index.js";
import { parsePublicKey } from "../src/keys.js";
import { b64url, forge, SERVER_TEST_KID, serverClaims, serverHeader } from "./helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const TIMEOUT = Math.max(60_000, RUNS * 10);
const NOW = 1_750_000_000;
const PATH = "/invoke/Svc/handler";
const other = generateKeyPair();

const verifier = createVerifier({ keys: [SERVER_TEST_KID], now: () => NOW * 1000, cache: false });
const cachedVerifier = createVerifier({ keys: [SERVER_TEST_KID], now: () => NOW * 1000 });
const GOOD = forge(serverHeader(), serverClaims(PATH, NOW));

const v1 = (token: string) => ({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token });

/** Verifies with and without cache; both must agree and never throw. */
async function outcome(headers: Record<string, string>, path = PATH): Promise<VerificationResult> {
  const [a, b] = await Promise.all([verifier.verify(headers, path), cachedVerifier.verify(headers, path)]);
  expect(b.ok).toBe(a.ok);
  if (!a.ok) {
    expect(REJECTION_CODES).toContain(a.code);
    expect(typeof a.message).toBe("string");
  }
  return a;
}

const base64urlChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".split(""));
const hostileChar = fc.constantFrom(..."+/=. \t\n\u0000\u00e9\u{1F600}%\\\"'{}".split(""));
const jsonValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(-1),
);

describe("hostile input (fast-check)", () => {
  it("random strings are never accepted and never throw", { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: base64urlChar, maxLength: 400 })), async (token) => {
        expect((await outcome(v1(token))).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("any single edit of a valid token is rejected (flip, replace, insert, delete, truncate)", {
    timeout: TIMEOUT,
  }, async () => {
    expect((await outcome(v1(GOOD))).ok).toBe(true);
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(GOOD.length - 1), bit: fc.nat(6) }),
      fc.record({
        kind: fc.constant("replace" as const),
        at: fc.nat(GOOD.length - 1),
        char: fc.oneof(base64urlChar, hostileChar),
      }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(GOOD.length),
        char: fc.oneof(base64urlChar, hostileChar),
      }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(GOOD.length - 1) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(GOOD.length - 1) }),
    );
    await fc.assert(
      fc.asyncProperty(edit, async (e) => {
        let token: string;
        if (e.kind === "flip")
          token =
            GOOD.slice(0, e.at) + String.fromCharCode(GOOD.charCodeAt(e.at) ^ (1 << e.bit)) + GOOD.slice(e.at + 1);
        else if (e.kind === "replace") token = GOOD.slice(0, e.at) + e.char + GOOD.slice(e.at + 1);
        else if (e.kind === "insert") token = GOOD.slice(0, e.at) + e.char + GOOD.slice(e.at);
        else if (e.kind === "delete") token = GOOD.slice(0, e.at) + GOOD.slice(e.at + 1);
        else token = GOOD.slice(0, e.at);
        fc.pre(token !== GOOD);
        expect((await outcome(v1(token))).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("alg none, HS256 with the public key as secret and other algs never pass", { timeout: TIMEOUT }, async () => {
    const secret = parsePublicKey(SERVER_TEST_KID);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "none",
          "None",
          "HS256",
          "HS512",
          "RS256",
          "ES256",
          "PS256",
          "EdDSA ",
          "ed25519",
          "Ed25519",
          "",
        ),
        fc.constantFrom("hmac", "empty", "ed25519"),
        async (alg, signatureKind) => {
          const input = `${b64url(JSON.stringify({ typ: "JWT", alg, kid: SERVER_TEST_KID }))}.${b64url(serverClaims(PATH, NOW))}`;
          const token =
            signatureKind === "hmac"
              ? `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`
              : signatureKind === "empty"
                ? `${input}.`
                : forge(JSON.stringify({ typ: "JWT", alg, kid: SERVER_TEST_KID }), serverClaims(PATH, NOW));
          const result = await outcome(v1(token));
          expect(result.ok).toBe(false);
          if (signatureKind !== "empty") expect(result).toMatchObject({ code: "unsupported_algorithm" });
        },
      ),
      { numRuns: Math.min(RUNS, 2000) },
    );
  });

  it("a token signed by another key is rejected whatever kid it claims", { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(SERVER_TEST_KID), fc.constant(other.publicKey), fc.string()),
        async (kid) => {
          const token = forge(serverHeader(kid), serverClaims(PATH, NOW), other.privateKeyPem);
          expect(await outcome(v1(token))).toMatchObject({ ok: false, code: "bad_signature" });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("correctly signed tokens with arbitrary claims pass only when every claim is valid", {
    timeout: TIMEOUT,
  }, async () => {
    // Mostly valid claims, so that most cases differ from an accepted token by exactly one claim.
    const claim = (valid: fc.Arbitrary<unknown>) =>
      fc.option(fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: jsonValue }), {
        nil: undefined,
        freq: 12,
      });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          aud: claim(fc.constantFrom(PATH, "/invoke/Svc/other", "/discover")),
          exp: claim(fc.integer({ min: NOW - 3, max: NOW + 3 })),
          iat: claim(fc.integer({ min: 0, max: NOW })),
          nbf: claim(fc.integer({ min: NOW - 3, max: NOW + 3 })),
          sub: claim(fc.string()),
        }),
        async (claims) => {
          const result = await outcome(v1(forge(serverHeader(), JSON.stringify(claims))));
          const expectOk =
            claims.aud === PATH &&
            Number.isSafeInteger(claims.exp) &&
            (claims.exp as number) >= NOW &&
            Number.isSafeInteger(claims.iat) &&
            (claims.iat as number) >= 0 &&
            Number.isSafeInteger(claims.nbf) &&
            (claims.nbf as number) <= NOW &&
            (claims.nbf as number) >= 0 &&
            (claims.sub === undefined || typeof claims.sub === "string");
          expect([claims, result.ok]).toEqual([claims, expectOk]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("expiry and not-before hold to the boundary second", { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: -2, max: 2 }),
        async (expiration, offset) => {
          const iatExp = NOW - expiration + offset; // exp = NOW + offset
          const exp = await outcome(v1(forge(serverHeader(), serverClaims(PATH, iatExp, expiration))));
          expect(exp.ok ? "ok" : exp.code).toBe(offset >= 0 ? "ok" : "expired");
          const iatNbf = NOW + expiration + offset; // nbf = NOW + offset
          const nbf = await outcome(v1(forge(serverHeader(), serverClaims(PATH, iatNbf, expiration))));
          expect(nbf.ok ? "ok" : nbf.code).toBe(offset <= 0 ? "ok" : "not_yet_valid");
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("duplicate JSON members in header or payload are malformed even when correctly signed", {
    timeout: TIMEOUT,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("aud", "exp", "iat", "nbf", "sub", "alg", "kid", "typ"),
        fc.boolean(),
        fc.constantFrom("", " ", "\n"),
        async (member, escaped, space) => {
          const name = escaped ? `\\u00${member.charCodeAt(0).toString(16)}${member.slice(1)}` : member;
          const isHeader = ["alg", "kid", "typ"].includes(member);
          const header = isHeader
            ? `{"typ":"JWT","alg":"EdDSA","kid":"${SERVER_TEST_KID}",${space}"${name}"${space}:${space}"JWT"}`
            : serverHeader();
          const payload = isHeader
            ? serverClaims(PATH, NOW)
            : `{"aud":"${PATH}","exp":${NOW + 60},"iat":${NOW},"nbf":${NOW - 60},"sub":"s",${space}"${name}"${space}:${space}${member === "aud" ? `"${PATH}"` : member === "sub" ? '"s"' : NOW}}`;
          expect(await outcome(v1(forge(header, payload)))).toMatchObject({ ok: false, code: "malformed_token" });
        },
      ),
      { numRuns: Math.min(RUNS, 2000) },
    );
  });

  it("node, webcrypto and noble backends agree on valid, edited and foreign tokens", { timeout: TIMEOUT }, async () => {
    const backends = (["node", "webcrypto", "noble"] as const).map((crypto) =>
      createVerifier({ keys: [SERVER_TEST_KID], now: () => NOW * 1000, cache: false, crypto }),
    );
    const foreign = forge(serverHeader(), serverClaims(PATH, NOW), other.privateKeyPem);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(GOOD, foreign),
        fc.nat(GOOD.length + 1),
        fc.oneof(base64urlChar, fc.constant("")),
        async (base, at, char) => {
          const token = base.slice(0, at) + char + base.slice(at + (char === "" ? 0 : 1));
          const results = await Promise.all(backends.map((v) => v.verify(v1(token), PATH)));
          const codes = results.map((r) => (r.ok ? "ok" : r.code));
          expect(new Set(codes).size).toBe(1);
        },
      ),
      { numRuns: Math.max(30, Math.floor(RUNS / 10)) },
    );
  });

  it("a broken clock fails closed: every signed request is refused, cached or not", { timeout: TIMEOUT }, async () => {
    const expired = forge(serverHeader(), serverClaims(PATH, NOW - 3600));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -1e15),
          fc.constantFrom<unknown>(undefined, null, "1750000000000", true, {}, [], 1750000000000n),
          fc.string(),
          fc.constant(new Error("clock down")),
        ),
        fc.boolean(),
        async (reading, cached) => {
          const now = () => {
            if (reading instanceof Error) throw reading;
            return reading as number;
          };
          const broken = createVerifier({ keys: [SERVER_TEST_KID], now, cache: cached });
          for (const token of [GOOD, expired, GOOD]) {
            const result = await broken.verify(v1(token), PATH);
            expect(result).toMatchObject({ ok: false, code: "internal_error" });
          }
        },
      ),
      { numRuns: Math.min(RUNS, 500) },
    );
  });

  it("huge and odd header values are rejected without throwing", { timeout: TIMEOUT }, async () => {
    const huge = `${GOOD}.${"A".repeat(1024 * 1024 + 1)}`;
    expect(await outcome(v1(huge))).toMatchObject({ ok: false, code: "malformed_token" });
    expect(await outcome(v1("A".repeat(2 * 1024 * 1024)))).toMatchObject({ ok: false, code: "malformed_token" });
    const scheme = await outcome({ "x-restate-signature-scheme": "v".repeat(1024 * 1024 + 1) });
    expect(scheme).toMatchObject({ ok: false, code: "unknown_scheme" });
    expect(scheme.ok ? "" : scheme.message.length).toBeLessThan(200);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(GOOD.length),
        fc.string({ unit: hostileChar, minLength: 1, maxLength: 5 }),
        async (at, junk) => {
          const token = GOOD.slice(0, at) + junk + GOOD.slice(at);
          expect((await outcome(v1(token))).ok).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
