import { describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import { toBase64 } from "../src/bytes.js";
import { generateLocalKey, localKeyProvider } from "../src/index.js";

describe("localKeyProvider", () => {
  it("accepts raw and base64 32-byte keys and refuses anything else without echoing it", () => {
    const raw = randomBytes(32);
    expect(localKeyProvider({ keys: { a: raw, b: toBase64(raw) }, activeKeyId: "a" }).kind).toBe("local");
    expect(Buffer.from(generateLocalKey(), "base64")).toHaveLength(32);
    expect(() => localKeyProvider({ keys: { a: randomBytes(31) }, activeKeyId: "a" })).toThrow(
      'key "a": expected 32 bytes, got 31',
    );
    const secretish = "not base64 !!";
    try {
      localKeyProvider({ keys: { a: secretish }, activeKeyId: "a" });
      throw new Error("accepted");
    } catch (error) {
      expect((error as Error & { code: string }).code).toBe("invalid_key");
      expect((error as Error).message).not.toContain(secretish);
    }
    expect(() => localKeyProvider({ keys: { a: raw }, activeKeyId: "b" })).toThrow(
      /activeKeyId "b" is not among the keys/,
    );
    expect(() => localKeyProvider({ keys: { "": raw }, activeKeyId: "" })).toThrow(/non-empty/);
  });

  it("binds a wrapped data key to its key id (a wrapped key moved to another id fails)", async () => {
    const kek = randomBytes(32);
    const provider = localKeyProvider({ keys: { a: kek, b: kek }, activeKeyId: "a" });
    const { wrappedKey, plaintextKey } = await provider.generateDataKey();
    expect(await provider.unwrapDataKey({ keyId: "a", wrappedKey })).toEqual(plaintextKey);
    await expect(provider.unwrapDataKey({ keyId: "b", wrappedKey })).rejects.toMatchObject({
      code: "authentication_failed",
    });
    await expect(provider.unwrapDataKey({ keyId: "a", wrappedKey: wrappedKey.subarray(1) })).rejects.toMatchObject({
      code: "invalid_envelope",
    });
  });
});
