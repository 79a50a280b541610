import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { base58 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { generateKeyPair, IdentityError, publicKeyFromPem } from "../src/index.js";
import { formatPublicKey, parsePrivateKeyPem, parsePublicKey } from "../src/keys.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID, SERVER_TEST_PUBLIC_PEM } from "./helpers.js";

function thrown(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IdentityError) return error;
    throw error;
  }
  throw new Error("expected an IdentityError");
}

describe("keys", () => {
  it("derives the same kid restate-server derives for its test key", () => {
    expect(publicKeyFromPem(SERVER_TEST_KEY_PEM)).toBe(SERVER_TEST_KID);
    expect(publicKeyFromPem(SERVER_TEST_PUBLIC_PEM)).toBe(SERVER_TEST_KID);
  });

  it("round-trips raw keys through publickeyv1_ strings", () => {
    const raw = parsePublicKey(SERVER_TEST_KID);
    expect(raw).toHaveLength(32);
    expect(formatPublicKey(raw)).toBe(SERVER_TEST_KID);
    const jwk = createPublicKey(SERVER_TEST_PUBLIC_PEM).export({ format: "jwk" });
    expect(Buffer.from(raw).toString("base64url")).toBe(jwk.x);
  });

  it("names what is wrong with a public key", () => {
    expect(thrown(() => parsePublicKey("AfQwmwfgEZhrWpvv8N52SHpRtZqGGaFr4AZN6qtYWSiY"))).toMatchObject({
      code: "invalid_public_key",
      problem: "prefix",
    });
    expect(thrown(() => parsePublicKey("publickeyv1_0OIl"))).toMatchObject({ problem: "base58" });
    const short = thrown(() => parsePublicKey(`publickeyv1_${base58.encode(new Uint8Array(31).fill(7))}`));
    expect(short).toMatchObject({ problem: "length" });
    expect(short.message).toMatch(/expected 32 bytes .* got 31/);
    expect(thrown(() => parsePublicKey(42 as unknown as string))).toMatchObject({ problem: "type" });
    expect(thrown(() => formatPublicKey(new Uint8Array(31)))).toMatchObject({ problem: "length" });
  });

  it("generates key pairs Node can read, whose public key matches", () => {
    const { privateKeyPem, publicKey } = generateKeyPair();
    const nodeKey = createPrivateKey(privateKeyPem);
    expect(nodeKey.asymmetricKeyType).toBe("ed25519");
    const spki = createPublicKey(nodeKey).export({ format: "pem", type: "spki" }).toString();
    expect(publicKeyFromPem(spki)).toBe(publicKey);
    expect(publicKeyFromPem(privateKeyPem)).toBe(publicKey);
    expect(generateKeyPair().publicKey).not.toBe(publicKey);
  });

  it("reads PKCS#8 keys as produced by Node/OpenSSL", () => {
    for (let i = 0; i < 5; i++) {
      const pair = generateKeyPairSync("ed25519");
      const pem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      const spki = pair.publicKey.export({ format: "pem", type: "spki" }).toString();
      expect(publicKeyFromPem(pem)).toBe(publicKeyFromPem(spki));
    }
  });

  it("reads PKCS#8 v2 (with embedded public key) and rejects a mismatching one", () => {
    const { seed, publicKey } = parsePrivateKeyPem(SERVER_TEST_KEY_PEM);
    const v2 = (pub: Uint8Array) =>
      Buffer.concat([Buffer.from("3051020101300506032b657004220420", "hex"), seed, Buffer.from("812100", "hex"), pub]);
    const pem = (der: Buffer) => `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
    expect(publicKeyFromPem(pem(v2(publicKey)))).toBe(SERVER_TEST_KID);
    const wrong = publicKey.slice();
    wrong[0] = (wrong[0] as number) ^ 1;
    expect(thrown(() => publicKeyFromPem(pem(v2(wrong))))).toMatchObject({
      code: "invalid_private_key",
      problem: "mismatch",
    });
  });

  it("rejects PEMs that are not one Ed25519 key, without echoing them", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" });
    const error = thrown(() => publicKeyFromPem(rsa.toString()));
    expect(error).toMatchObject({ code: "invalid_private_key", problem: "der" });
    expect(error.message).not.toContain("MII");
    expect(thrown(() => publicKeyFromPem("not a pem"))).toMatchObject({ problem: "pem" });
    expect(thrown(() => publicKeyFromPem(SERVER_TEST_KEY_PEM + SERVER_TEST_KEY_PEM))).toMatchObject({ problem: "pem" });
    expect(
      thrown(() => publicKeyFromPem("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----")),
    ).toMatchObject({
      problem: "pem",
    });
    expect(thrown(() => publicKeyFromPem("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----"))).toMatchObject(
      {
        problem: "pem",
      },
    );
  });
});
