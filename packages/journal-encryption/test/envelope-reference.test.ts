import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReferenceEnvelope, referenceLayoutOf } from "../src/envelope-reference.js";
import { createJournalCodec, inspectEnvelope, inspectValue, JournalEncryptionError } from "../src/index.js";
import { localProvider, RUNS, text } from "./helpers.js";
import { referenceFrame } from "./reference-writer.js";

/** An AWS-shaped CiphertextBlob: AWS blobs begin 01 02 02 00 78 …; moto's with the ASCII key id. */
const awsBlob = (length = 184) => Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, ...randomBytes(length - 5)]);
const motoBlob = () => Uint8Array.from([...Buffer.from(crypto.randomUUID()), ...randomBytes(60)]);

describe("reference-format values", () => {
  it("parses both layouts into blob, IV and sealed bytes, whatever the blob and plaintext", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("aws", "moto"),
        fc.boolean(),
        fc.uint8Array({ maxLength: 600 }),
        (kind, fixed, plaintext) => {
          const blob = kind === "aws" ? awsBlob() : motoBlob();
          const layout = fixed && blob.length === 184 ? "fixed-blob" : "length-prefixed";
          const iv = randomBytes(12);
          const frame = referenceFrame(layout, blob, randomBytes(32), iv, plaintext);
          const parsed = parseReferenceEnvelope(frame);
          expect(parsed.layout).toBe(layout);
          expect(Buffer.from(parsed.wrappedKey)).toEqual(Buffer.from(blob));
          expect(Buffer.from(parsed.iv)).toEqual(iv);
          expect(parsed.ciphertextLength).toBe(plaintext.length);
          expect(inspectValue(frame)).toMatchObject({ format: "reference", layout, wrappedKeyLength: blob.length });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("tells the layouts apart by the byte after the magic, never by trying both", () => {
    // The old layout begins with the blob: 0x01 on AWS, an ASCII hex digit on moto, never 0x00.
    expect(
      referenceLayoutOf(referenceFrame("fixed-blob", awsBlob(), randomBytes(32), randomBytes(12), text("x"))),
    ).toBe("fixed-blob");
    // A long old-layout value whose blob bytes 01 02 read as a plausible length (258) stays fixed-blob.
    const long = referenceFrame("fixed-blob", awsBlob(), randomBytes(32), randomBytes(12), randomBytes(400));
    expect(parseReferenceEnvelope(long).layout).toBe("fixed-blob");
    expect(parseReferenceEnvelope(long).wrappedKey.length).toBe(184);
  });

  it("refuses every truncation with invalid_envelope, and classifies it as invalid", () => {
    for (const layout of ["length-prefixed", "fixed-blob"] as const) {
      const frame = referenceFrame(layout, awsBlob(), randomBytes(32), randomBytes(12), text('"hi"'));
      for (let length = 1; length < frame.length - 4; length++) {
        const cut = frame.subarray(0, length);
        expect(() => parseReferenceEnvelope(cut)).toThrowError(
          expect.objectContaining({ code: "invalid_envelope" }) as unknown as Error,
        );
        expect(inspectValue(cut)).toMatchObject({ format: "invalid", claimed: "reference", code: "invalid_envelope" });
      }
    }
    const zeroLength = Uint8Array.from([...Buffer.from("RTv1\0", "latin1"), 0, 0, ...randomBytes(40)]);
    expect(() => parseReferenceEnvelope(zeroLength)).toThrow(JournalEncryptionError);
  });

  it("a codec not asked to read them refuses them with unsupported_format; plaintext never looks like one", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider, allowPlaintext: true });
    const frame = referenceFrame("length-prefixed", motoBlob(), randomBytes(32), randomBytes(12), text("{}"));
    await expect(codec.decode(frame)).rejects.toMatchObject({ code: "unsupported_format" });
    // Cut inside its magic, it still is not plaintext.
    for (let length = 1; length < 5; length++) {
      await expect(codec.decode(frame.subarray(0, length))).rejects.toMatchObject({ code: "unsupported_format" });
    }
    await expect(
      createJournalCodec({ keyProvider: localProvider().provider, readReferenceFormat: true }),
    ).rejects.toMatchObject({ code: "invalid_option" });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = text(JSON.stringify(value));
        expect(inspectValue(bytes)).toEqual({ format: "plaintext", totalLength: bytes.length });
      }),
      { numRuns: RUNS },
    );
  });
});

describe("inspectValue", () => {
  it("classifies envelopes of both versions, plaintext, empty and malformed values without keys", async () => {
    const { provider } = localProvider(["kek-2026-01"]);
    const v2 = (await createJournalCodec({ keyProvider: provider })).encode(text('"x"'));
    const v1 = (await createJournalCodec({ keyProvider: provider, envelopeVersion: 1 })).encode(text('"x"'));
    expect(inspectValue(v2)).toMatchObject({ format: "envelope", version: 2, provider: "local", keyId: "kek-2026-01" });
    expect(inspectValue(v1)).toMatchObject({ format: "envelope", version: 1, provider: "local", keyId: "kek-2026-01" });
    expect(inspectEnvelope(v2).totalLength).toBe(v2.length);
    expect(inspectValue(new Uint8Array(0))).toEqual({ format: "plaintext", totalLength: 0 });
    const future = new Uint8Array(v2);
    future[4] = 9;
    expect(inspectValue(future)).toMatchObject({ format: "invalid", claimed: "envelope", code: "unsupported_version" });
    expect(() => inspectEnvelope(text("{}"))).toThrowError(expect.objectContaining({ code: "not_encrypted" }) as never);
    expect(() => inspectValue("text" as never)).toThrowError(
      expect.objectContaining({ code: "invalid_option" }) as never,
    );
  });

  it("never throws on arbitrary bytes, and every non-plaintext verdict agrees with the parsers", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((tail) => Uint8Array.from([0x00, 0x52, 0x4a, 0x45, ...tail])),
          fc.uint8Array({ maxLength: 300 }).map((tail) => Uint8Array.from([0x52, 0x54, 0x76, 0x31, 0x00, ...tail])),
        ),
        (bytes) => {
          const info = inspectValue(bytes);
          if (info.format === "envelope" || info.format === "reference") {
            expect(info.headerLength + info.ciphertextLength + 16).toBe(bytes.length);
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it("decode and inspectValue read any byte string the same way: only plaintext passes, unchanged", async () => {
    const { provider } = localProvider();
    const codec = await createJournalCodec({ keyProvider: provider, allowPlaintext: true, allowEmpty: false });
    const real = codec.encode(text('{"a":1}'));
    const magics = [Uint8Array.of(0x00, 0x52, 0x4a, 0x45), Uint8Array.of(0x52, 0x54, 0x76, 0x31, 0x00), real];
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // Every prefix (whole or cut) of both magics and of a real envelope, then anything.
      fc
        .tuple(fc.constantFrom(...magics), fc.nat(), fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 255 }))
        .map(([magic, cut, tail, version]) => {
          const head = magic.subarray(0, 1 + (cut % magic.length));
          const out = Uint8Array.from([...head, ...tail]);
          if (head.length === 4 && out.length > 4 && magic[0] === 0) out[4] = version % 4;
          return out;
        }),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (value) => {
        const info = inspectValue(value);
        const outcome = await codec.decode(value).then(
          (plaintext) => ({ plaintext }),
          (error: unknown) => ({ error }),
        );
        if ("plaintext" in outcome) {
          // Either plaintext passed through as it is, or the real envelope itself.
          if (info.format === "plaintext") expect(outcome.plaintext).toBe(value);
          else expect(Buffer.from(value)).toEqual(Buffer.from(real));
        } else {
          expect(outcome.error).toBeInstanceOf(JournalEncryptionError);
          expect(info.format === "plaintext" && value.length > 0).toBe(false);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
