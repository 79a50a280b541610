import { createPublicKey } from "node:crypto";
import { importSPKI, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { type CryptoName, createSigner, createVerifier, IdentityError } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID, SERVER_TEST_PUBLIC_PEM } from "./helpers.js";

const IAT = 1_721_662_649;
const fixedClock = () => IAT * 1000 + 123;

function decodePart(token: string, index: number): string {
  return Buffer.from(token.split(".")[index] as string, "base64url").toString("utf8");
}

describe("createSigner", () => {
  it("produces exactly restate-server's header and claim layout", async () => {
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, now: fixedClock });
    expect(signer.publicKey).toBe(SERVER_TEST_KID);
    const headers = await signer.sign("/invoke/foo");
    expect(Object.keys(headers)).toEqual(["x-restate-signature-scheme", "x-restate-jwt-v1"]);
    expect(headers["x-restate-signature-scheme"]).toBe("v1");
    const token = headers["x-restate-jwt-v1"];
    expect(decodePart(token, 0)).toBe(`{"typ":"JWT","alg":"EdDSA","kid":"${SERVER_TEST_KID}"}`);
    expect(decodePart(token, 1)).toBe(`{"aud":"/invoke/foo","exp":${IAT + 60},"iat":${IAT},"nbf":${IAT - 60}}`);
    const withSub = await signer.sign("/invoke/foo", { subject: "somekey" });
    expect(decodePart(withSub["x-restate-jwt-v1"], 1)).toBe(
      `{"aud":"/invoke/foo","exp":${IAT + 60},"iat":${IAT},"nbf":${IAT - 60},"sub":"somekey"}`,
    );
  });

  it("uses the configured expiration on both sides of iat", async () => {
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, now: fixedClock, expirationSeconds: 5 });
    const token = (await signer.sign("/discover"))["x-restate-jwt-v1"];
    expect(JSON.parse(decodePart(token, 1))).toEqual({ aud: "/discover", exp: IAT + 5, iat: IAT, nbf: IAT - 5 });
  });

  it("makes tokens jose accepts with the server's public key", async () => {
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
    const token = (await signer.sign("/invoke/Greeter/greet"))["x-restate-jwt-v1"];
    const { payload, protectedHeader } = await jwtVerify(token, await importSPKI(SERVER_TEST_PUBLIC_PEM, "EdDSA"), {
      audience: "/invoke/Greeter/greet",
      algorithms: ["EdDSA"],
    });
    expect(protectedHeader).toEqual({ typ: "JWT", alg: "EdDSA", kid: SERVER_TEST_KID });
    expect(payload.aud).toBe("/invoke/Greeter/greet");
    expect(createPublicKey(SERVER_TEST_PUBLIC_PEM).asymmetricKeyType).toBe("ed25519");
  });

  it("gives byte-identical tokens on every crypto backend, each verifiable by every other", async () => {
    const backends: CryptoName[] = ["node", "webcrypto", "noble"];
    const tokens = await Promise.all(
      backends.map(async (crypto) => {
        const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, now: fixedClock, crypto });
        // Loaded lazily: no name before the first signature, never a guess.
        expect(signer.crypto).toBeUndefined();
        const token = (await signer.sign("/invoke/S/h", { subject: "k" }))["x-restate-jwt-v1"];
        expect(signer.crypto).toBe(crypto);
        expect(await signer.ready()).toBe(crypto);
        return token;
      }),
    );
    expect(new Set(tokens).size).toBe(1);
    for (const crypto of backends) {
      const verifier = createVerifier({ keys: [SERVER_TEST_KID], crypto, now: fixedClock });
      const result = await verifier.verify(
        { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": tokens[0] as string },
        "/invoke/S/h",
      );
      expect(result).toMatchObject({ ok: true, claims: { sub: "k" } });
    }
  });

  it("refuses bad configuration with typed errors", async () => {
    expect(() => createSigner({ privateKeyPem: "nope" })).toThrow(IdentityError);
    expect(() => createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, expirationSeconds: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    expect(() => createSigner({ privateKeyPem: SERVER_TEST_PUBLIC_PEM })).toThrow(
      expect.objectContaining({ code: "invalid_private_key" }),
    );
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
    await expect(signer.sign("/x", { issuedAt: 1.5 })).rejects.toMatchObject({ code: "invalid_option" });
    await expect(signer.sign("/x", { subject: "a\ud800" })).rejects.toMatchObject({ code: "invalid_option" });
    await expect(signer.sign("/x\udc00")).rejects.toMatchObject({ code: "invalid_option" });
    expect(() => createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, crypto: "openssl" as "node" })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
    for (const reading of [Number.NaN, -1, "1" as unknown as number]) {
      const broken = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM, now: () => reading });
      await expect(broken.sign("/x")).rejects.toMatchObject({ code: "invalid_option" });
    }
  });
});
