// Weak public keys and signature edge cases: every key the verifier accepts is a real Ed25519 public
// key, and the node, webcrypto and noble implementations accept exactly the same signatures.
import { createHash, createPrivateKey } from "node:crypto";
import * as ed from "@noble/ed25519";
import { base58 } from "@scure/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { noble } from "../src/crypto.js";
import { type CryptoName, createVerifier, IdentityError } from "../src/index.js";
import { parsePublicKey, pointProblem } from "../src/keys.js";
import { b64url, nowSeconds, SERVER_TEST_KEY_PEM, SERVER_TEST_KID, serverClaims, serverHeader } from "./helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const CRYPTOS: CryptoName[] = ["node", "webcrypto", "noble"];
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const key = (raw: Uint8Array) => `publickeyv1_${base58.encode(raw)}`;

function littleEndian(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
const fromLittleEndian = (bytes: Uint8Array) => bytes.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

noble();
const { Point } = ed;
// The eight points of small order: multiples of a point of order 8.
const order8 = Point.fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
const torsion = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : order8.multiply(BigInt(i), false)));

/** Every encoding with y ≥ p (19 values, each with both sign bits) and x = 0 with the sign bit set. */
function nonCanonicalEncodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let y = P; y < 2n ** 255n; y++) {
    out.push(littleEndian(y));
    const signed = littleEndian(y);
    signed[31] = (signed[31] as number) | 0x80;
    out.push(signed);
  }
  for (const t of torsion) {
    const bytes = t.toBytes();
    if (t.x === 0n) {
      bytes[31] = (bytes[31] as number) | 0x80;
      out.push(bytes);
    }
  }
  return out;
}

const SMALL_ORDER = torsion.map((t) => t.toBytes());
const realPoint = Point.fromBytes(parsePublicKey(SERVER_TEST_KID));
const MIXED_ORDER = torsion.slice(1).map((t) => realPoint.add(t).toBytes());
const NON_CANONICAL = nonCanonicalEncodings();

describe("weak public keys are refused at construction", () => {
  it("the identity, the other small-order points, mixed-order points and non-canonical encodings", () => {
    const cases: [string, Uint8Array[], string][] = [
      ["small order", SMALL_ORDER, "weak"],
      ["mixed order", MIXED_ORDER, "weak"],
      ["non-canonical", NON_CANONICAL, "point"],
    ];
    expect(SMALL_ORDER[0]).toEqual(Uint8Array.from([1, ...new Array(31).fill(0)])); // the identity
    expect(NON_CANONICAL.length).toBeGreaterThan(38);
    for (const [name, raws, problem] of cases)
      for (const raw of raws)
        for (const crypto of CRYPTOS) {
          let thrown: unknown;
          try {
            createVerifier({ keys: [SERVER_TEST_KID, key(raw)], crypto });
          } catch (error) {
            thrown = error;
          }
          expect(thrown, `${name} ${Buffer.from(raw).toString("hex")}`).toBeInstanceOf(IdentityError);
          const problemSeen = (thrown as IdentityError).problem;
          // A non-canonical encoding of a small-order point may be caught by either check.
          expect([name, (thrown as IdentityError).code, (thrown as IdentityError).keyIndex]).toEqual([
            name,
            "invalid_public_key",
            1,
          ]);
          if (name !== "non-canonical") expect(problemSeen).toBe(problem);
          else expect(["point", "weak"]).toContain(problemSeen);
          expect((thrown as Error).message).toMatch(/^key #1: /);
        }
  });

  it("random 32-byte strings: accepted exactly when they are a canonical point of prime order", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (raw) => {
        let accepted = true;
        try {
          parsePublicKey(key(raw));
        } catch (error) {
          expect(error).toBeInstanceOf(IdentityError);
          accepted = false;
        }
        let expected = false;
        try {
          const point = Point.fromBytes(raw, false);
          expected =
            Buffer.from(point.toBytes()).equals(Buffer.from(raw)) &&
            !point.is0() &&
            point
              .multiply(L - 1n, false)
              .add(point)
              .is0();
        } catch {
          expected = false;
        }
        expect(accepted).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("real keys pass", () => {
    expect(pointProblem(parsePublicKey(SERVER_TEST_KID))).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(pointProblem(ed.getPublicKey(ed.utils.randomSecretKey()))).toBeUndefined();
  });
});

// The private scalar and prefix of the test key (RFC 8032 §5.1.5), to build signatures a forger could
// not, but that a careless verifier would treat differently.
const seed = new Uint8Array(createPrivateKey(SERVER_TEST_KEY_PEM).export({ format: "der", type: "pkcs8" })).slice(16);
const expanded = createHash("sha512").update(seed).digest();
const scalarBytes = Uint8Array.from(expanded.subarray(0, 32));
scalarBytes[0] = (scalarBytes[0] as number) & 248;
scalarBytes[31] = ((scalarBytes[31] as number) & 127) | 64;
const a = fromLittleEndian(scalarBytes) % L;
const A = parsePublicKey(SERVER_TEST_KID);
const hashToScalar = (...parts: Uint8Array[]) =>
  fromLittleEndian(new Uint8Array(createHash("sha512").update(Buffer.concat(parts)).digest())) % L;

/** A signature with R = [r]B + T (T of small order) and S = r + k·a: valid for cofactored checks only. */
function signWithTorsion(message: Uint8Array, r: bigint, t: number): Uint8Array {
  const R = Point.BASE.multiply(r)
    .add(torsion[t] as InstanceType<typeof Point>)
    .toBytes();
  const k = hashToScalar(R, A, message);
  return Uint8Array.from([...R, ...littleEndian((r + k * a) % L)]);
}

describe("node, webcrypto and noble accept exactly the same signatures", () => {
  const verifiers = CRYPTOS.map((crypto) =>
    createVerifier({ keys: [SERVER_TEST_KID], crypto, cache: false, now: () => NOW * 1000 }),
  );
  const NOW = nowSeconds();
  const PATH = "/invoke/Svc/handler";
  const input = `${b64url(serverHeader())}.${b64url(serverClaims(PATH, NOW))}`;
  const message = new TextEncoder().encode(input);
  const outcomes = async (signature: Uint8Array) => {
    const headers = { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": `${input}.${b64url(signature)}` };
    const results = await Promise.all(verifiers.map((v) => v.verify(headers, PATH)));
    return results.map((r) => (r.ok ? "ok" : r.code));
  };

  it("fixed vectors: identity R with S = 0, small-order R, S ≥ L, non-canonical R, torsion in R", async () => {
    const good = ed.sign(message, seed);
    const S = fromLittleEndian(good.subarray(32));
    const vectors: [string, Uint8Array, string][] = [
      ["valid", good, "ok"],
      ["R = identity, S = 0", Uint8Array.from([...SMALL_ORDER[0]!, ...new Uint8Array(32)]), "bad_signature"],
      ...SMALL_ORDER.map((R, i): [string, Uint8Array, string] => [
        `R of small order #${i}, S = 0`,
        Uint8Array.from([...R, ...new Uint8Array(32)]),
        "bad_signature",
      ]),
      ["S + L", Uint8Array.from([...good.subarray(0, 32), ...littleEndian(S + L)]), "bad_signature"],
      ["S = L", Uint8Array.from([...good.subarray(0, 32), ...littleEndian(L)]), "bad_signature"],
      ...NON_CANONICAL.slice(0, 8).map((R, i): [string, Uint8Array, string] => [
        `non-canonical R #${i}`,
        Uint8Array.from([...R, ...good.subarray(32)]),
        "bad_signature",
      ]),
      ...[1, 2, 4, 7].map((t): [string, Uint8Array, string] => [
        `R with a torsion component of order ${t}`,
        signWithTorsion(message, 12345n + BigInt(t), t),
        "bad_signature",
      ]),
    ];
    // The torsion vectors really are valid under the cofactored equation that noble's own verify uses.
    expect(ed.verify(signWithTorsion(message, 12349n, 4), message, A, { zip215: false })).toBe(true);
    for (const [name, signature, expected] of vectors)
      expect([name, await outcomes(signature)]).toEqual([name, [expected, expected, expected]]);
  });

  it("generated: random and tweaked signatures get the same answer from all three", { timeout: 120_000 }, async () => {
    const good = ed.sign(message, seed);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          fc.tuple(fc.nat(63), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const s = good.slice();
            s[at] = (s[at] as number) ^ xor;
            return s;
          }),
          fc
            .tuple(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 0, max: 7 }))
            .map(([r, t]) => signWithTorsion(message, r, t)),
        ),
        async (signature) => {
          const results = await outcomes(signature);
          expect(new Set(results).size).toBe(1);
        },
      ),
      { numRuns: Math.max(50, Math.floor(RUNS / 3)) },
    );
  });
});
