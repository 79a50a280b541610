import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import { encodeKeyHeader, hasEnvelopePrefix, parseEnvelope } from "../src/envelope.js";
import { createJournalCodec, isJournalEncryptionError, JournalEncryptionError } from "../src/index.js";
import { localProvider, RUNS, text } from "./helpers.js";

const REJECTION_CODES = new Set([
  "not_encrypted",
  "invalid_envelope",
  "unsupported_version",
  "authentication_failed",
  "unknown_key",
]);

async function expectTypedRejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JournalEncryptionError);
    const code = (error as JournalEncryptionError).code;
    expect(REJECTION_CODES.has(code), `unexpected code ${code}`).toBe(true);
    return code;
  }
  throw new Error("decode accepted a modified envelope");
}

describe("envelope", () => {
  it("every single-bit flip of an envelope is rejected with a typed error", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const envelope = codec.encode(text('{"secret":"flip me"}'));
    const codes = new Map<string, number>();
    for (let bit = 0; bit < envelope.length * 8; bit++) {
      const copy = new Uint8Array(envelope);
      copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
      const code = await expectTypedRejection(codec.decode(copy));
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    // Magic, version, header fields and GCM all contribute detections.
    expect([...codes.keys()].sort()).toEqual(
      ["authentication_failed", "invalid_envelope", "not_encrypted", "unknown_key", "unsupported_version"].sort(),
    );
    expect(await codec.decode(envelope)).toEqual(text('{"secret":"flip me"}'));
  });

  it("every truncation of an envelope is rejected with a typed error", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    for (const size of [0, 1, 40]) {
      const envelope = codec.encode(randomBytes(size));
      for (let length = 0; length < envelope.length; length++) {
        await expectTypedRejection(codec.decode(envelope.subarray(0, length)));
      }
    }
  });

  it("envelopes carved from the shared slab never overlap: altering one leaves the others intact", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const plaintexts = Array.from({ length: 80 }, (_, i) => randomBytes(300 + i * 37));
    const sealed = plaintexts.map((p) => codec.encode(p));
    for (const envelope of sealed.filter((_, i) => i % 2 === 0)) envelope.fill(0xff, envelope.length - 16);
    for (const [i, envelope] of sealed.entries()) {
      if (i % 2 === 0) await expect(codec.decode(envelope)).rejects.toMatchObject({ code: "authentication_failed" });
      else expect(await codec.decode(envelope)).toEqual(plaintexts[i]);
    }
  });

  it("rejects appended bytes", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const envelope = codec.encode(text("x"));
    const longer = new Uint8Array(envelope.length + 1);
    longer.set(envelope);
    await expectTypedRejection(codec.decode(longer));
  });

  it("header fields round-trip and the magic is detected", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.constantFrom("local" as const, "aws-kms" as const),
        (keyId, wrapped, provider) => {
          const header = encodeKeyHeader(provider, keyId, wrapped);
          const nonce = randomBytes(12);
          const envelope = new Uint8Array(header.length + 12 + 16);
          envelope.set(header);
          envelope.set(nonce, header.length);
          const parsed = parseEnvelope(envelope);
          expect(hasEnvelopePrefix(envelope)).toBe(true);
          expect(parsed).toMatchObject({ version: 1, provider, keyId, ciphertextLength: 0 });
          expect(parsed.wrappedKey).toEqual(wrapped);
          expect(parsed.nonce).toEqual(nonce);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("refuses key ids and wrapped keys outside the documented bounds", () => {
    expect(() => encodeKeyHeader("local", "", Uint8Array.of(1))).toThrow(/key id must be 1..1024/);
    expect(() => encodeKeyHeader("local", "x".repeat(1025), Uint8Array.of(1))).toThrow(/got 1025/);
    expect(() => encodeKeyHeader("local", "k", new Uint8Array(0))).toThrow(/wrapped data key/);
    expect(() => encodeKeyHeader("local", "k", new Uint8Array(4097))).toThrow(/got 4097/);
  });

  it("parse errors carry stable codes", () => {
    const check = (bytes: Uint8Array, code: string) => {
      try {
        parseEnvelope(bytes);
        throw new Error("accepted");
      } catch (error) {
        expect(isJournalEncryptionError(error, code as never)).toBe(true);
      }
    };
    check(text('{"a":1}'), "not_encrypted");
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 3, 1, 0, 1, 0x6b), "unsupported_version");
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 0, 1, 0, 1, 0x6b), "unsupported_version");
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45), "invalid_envelope");
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 2, 0, 1), "invalid_envelope"); // v2 local key id length 0
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 2, 0x85, 0, ...new Uint8Array(40)), "invalid_envelope"); // W = 0
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 2, 0x85, 10, ...new Uint8Array(37)), "invalid_envelope"); // truncated
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 1, 9, 0, 1, 0x6b), "invalid_envelope");
    check(Uint8Array.of(0, 0x52, 0x4a, 0x45, 1, 1, 0, 0), "invalid_envelope");
  });
});
