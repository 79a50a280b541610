import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { aesGcm, randomBytes } from "../src/aes-gcm.js";
import { RUNS } from "./helpers.js";

type GetBuiltin = typeof process.getBuiltinModule;
const original: GetBuiltin = process.getBuiltinModule;

afterEach(() => {
  process.getBuiltinModule = original;
  vi.resetModules();
});

async function freshSeam() {
  vi.resetModules();
  return import("../src/aes-gcm.js");
}

describe("the AES-GCM seam", () => {
  it("uses native AES-GCM on Node and noble where no node:crypto exists (workerd, edge, browsers)", async () => {
    expect((await freshSeam()).detectCrypto()).toBe("node");
    process.getBuiltinModule = undefined as unknown as GetBuiltin;
    const seam = await freshSeam();
    expect(seam.detectCrypto()).toBe("noble");
    expect(() => seam.aesGcm("node")).toThrow(/native AES-GCM is unavailable/);
  });

  it("falls back to noble when the native module misbehaves (self-test) or throws", async () => {
    process.getBuiltinModule = ((id: string) => {
      const real = original(id as "node:crypto") as typeof import("node:crypto");
      return {
        ...real,
        createCipheriv: (...args: Parameters<typeof real.createCipheriv>) => {
          const cipher = real.createCipheriv(...args);
          return Object.assign(cipher, { getAuthTag: () => Buffer.alloc(16) }); // wrong tags
        },
      };
    }) as GetBuiltin;
    expect((await freshSeam()).detectCrypto()).toBe("noble");
    process.getBuiltinModule = (() => {
      throw new Error("no builtins here");
    }) as unknown as GetBuiltin;
    expect((await freshSeam()).detectCrypto()).toBe("noble");
  });

  it("both backends produce identical bytes and open each other's output", () => {
    const node = aesGcm("node");
    const noble = aesGcm("noble");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 80 }), (plaintext, aad) => {
        const key = randomBytes(32);
        const nonce = randomBytes(12);
        const a = new Uint8Array(plaintext.length + 16);
        const b = new Uint8Array(plaintext.length + 16);
        node.seal(key, nonce, aad, plaintext, a, 0);
        noble.seal(key, nonce, aad, plaintext, b, 0);
        expect(a).toEqual(b);
        expect(noble.open(key, nonce, aad, a)).toEqual(plaintext);
        expect(node.open(key, nonce, aad, b)).toEqual(plaintext);
      }),
      { numRuns: RUNS },
    );
  });

  it("random bytes are fresh and of the requested length, including past the pool size", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(Buffer.from(randomBytes(12)).toString("hex"));
    expect(seen.size).toBe(1000);
    expect(randomBytes(100_000)).toHaveLength(100_000);
  });
});
