import { KMSClient } from "@aws-sdk/client-kms";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import { concatBytes } from "../src/bytes.js";
import { encodeKeyHeader, fitsVersion2, hasEnvelopePrefix, parseEnvelope } from "../src/envelope.js";
import {
  createJournalCodec,
  inspectValue,
  isJournalEncryptionError,
  JournalEncryptionError,
  kmsKeyFingerprint,
} from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
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
  it.each([1, 2] as const)(
    "every single-bit flip of a version-%i envelope is rejected with a typed error",
    async (envelopeVersion) => {
      const codec = await createJournalCodec({ keyProvider: localProvider().provider, envelopeVersion });
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
    },
  );

  it.each([1, 2] as const)(
    "every truncation of a version-%i envelope is rejected with a typed error, even with allowPlaintext",
    async (envelopeVersion) => {
      const { provider } = localProvider();
      const codec = await createJournalCodec({ keyProvider: provider, envelopeVersion });
      const migrating = await createJournalCodec({ keyProvider: provider, envelopeVersion, allowPlaintext: true });
      for (const size of [0, 1, 40]) {
        const envelope = codec.encode(randomBytes(size));
        for (let length = 0; length < envelope.length; length++) {
          const cut = envelope.subarray(0, length);
          await expectTypedRejection(codec.decode(cut));
          // Only the empty value is "no value"; a cut envelope never passes as plaintext.
          if (length > 0) {
            expect(await expectTypedRejection(migrating.decode(cut))).not.toBe("not_encrypted");
            expect(inspectValue(cut).format).not.toBe("plaintext");
          }
        }
      }
    },
  );

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

  it("version-2 header fields round-trip: local ids in full, KMS keys by fingerprint", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 1, maxLength: 255 }),
        fc.constantFrom("local" as const, "aws-kms" as const),
        fc.uint8Array({ maxLength: 50 }),
        (keyId, wrapped, provider, body) => {
          fc.pre(fitsVersion2(provider, keyId, wrapped));
          const header = encodeKeyHeader(provider, keyId, wrapped, 2);
          const envelope = new Uint8Array(header.length + 12 + body.length + 16);
          envelope.set(header);
          const parsed = parseEnvelope(envelope);
          expect(parsed).toMatchObject({ version: 2, provider, ciphertextLength: body.length });
          expect(parsed.wrappedKey).toEqual(wrapped);
          if (provider === "local") expect(parsed).toMatchObject({ keyId, keyFingerprint: undefined });
          else expect(parsed).toMatchObject({ keyId: "", keyFingerprint: kmsKeyFingerprint(keyId) });
          // The KMS header is the reference codec's size: 7 bytes before the blob (magic 5 + length 2).
          if (provider === "aws-kms") expect(header.length).toBe(7 + wrapped.length);
        },
      ),
      { numRuns: RUNS },
    );
    expect(fitsVersion2("local", "x".repeat(128), Uint8Array.of(1))).toBe(false);
    expect(fitsVersion2("aws-kms", "arn", new Uint8Array(256))).toBe(false);
    expect(() => encodeKeyHeader("local", "x".repeat(128), Uint8Array.of(1), 2)).toThrowError(
      expect.objectContaining({ code: "invalid_option" }) as never,
    );
  });

  it("the fingerprint reads a key the same whether named by ARN or bare id, and spreads over 7 bits", () => {
    const id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(kmsKeyFingerprint(`arn:aws:kms:eu-central-1:111122223333:key/${id}`)).toBe(kmsKeyFingerprint(id));
    const seen = new Set(Array.from({ length: 2000 }, () => kmsKeyFingerprint(crypto.randomUUID())));
    expect(seen.size).toBe(128);
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

  it("a key id read from a stored value reaches error messages quoted, escaped and bounded", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const kms = kmsKeyProvider({ keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", client: new KMSClient({}) });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
    const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
    const nasty = fc.constantFrom("\u001b[2J", "\n", "\r", "\u009b", "\u202e", "\u2028", '"', "\\", "\u0000");
    const keyIds = fc
      .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 4 }), nasty), { minLength: 1, maxLength: 400 })
      .map((parts) => parts.join(""))
      .filter((id) => id.length > 0 && new TextEncoder().encode(id).length <= 1024);
    await fc.assert(
      fc.asyncProperty(keyIds, async (keyId) => {
        const header = encodeKeyHeader("local", keyId, randomBytes(60), 1);
        const error = await codec.decode(concatBytes(header, randomBytes(12 + 16))).then(
          () => undefined,
          (e: unknown) => e as JournalEncryptionError,
        );
        const refused = await kms.unwrapDataKey({ keyId, wrappedKey: Uint8Array.of(1) }).then(
          () => undefined,
          (e: unknown) => e as JournalEncryptionError,
        );
        for (const [e, code] of [
          [error, "unknown_key"],
          [refused, "key_not_allowed"],
        ] as const) {
          expect(e?.code).toBe(code);
          expect(e?.message).not.toMatch(unsafe);
          expect([...(e?.message ?? "")].length).toBeLessThan(200);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
