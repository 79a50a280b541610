import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8Encode } from "../src/bytes.js";
import { inspectEnvelope, type KeyProvider, openEnvelope } from "../src/index.js";
import { referenceFrame } from "./reference-writer.js";

/**
 * Committed values in the two layouts of Restate's reference codec. `UPDATE_VECTORS=1` regenerates
 * them: the length-prefixed ones against moto (GenerateDataKey without encryption context → frame,
 * the data key recorded because it is moto's test key); the fixed-blob ones with a stand-in blob of
 * AWS's shape (01 02 02 00 78 …, 184 B), because moto's blobs are 96 B and cannot fill that layout.
 */
interface ReferenceVector {
  name: string;
  layout: "length-prefixed" | "fixed-blob";
  source: "moto" | "stand-in";
  blobHex: string;
  dataKeyHex: string;
  ivHex: string;
  plaintextHex: string;
  valueHex: string;
}

const FILE = fileURLToPath(new URL("./vectors/reference.json", import.meta.url));
const hex = (text: string) => fromHex(text) ?? new Uint8Array(0);
const sequence = (length: number, start: number, step: number) =>
  toHex(Uint8Array.from({ length }, (_, i) => (start + i * step) & 0xff));
const PLAINTEXTS = [
  { name: "short JSON string", plaintextHex: toHex(utf8Encode('"hello, journal"')) },
  { name: "empty value", plaintextHex: "" },
  { name: "400 bytes binary", plaintextHex: sequence(400, 3, 11) },
];

async function generate(): Promise<ReferenceVector[]> {
  const { startMoto } = await import("@restate-connect/testkit");
  const moto = await startMoto();
  try {
    const kms = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
    const motoBlob = generated.CiphertextBlob as Uint8Array;
    const motoKey = generated.Plaintext as Uint8Array;
    const standInBlob = hex(`0102020078${sequence(179, 0x41, 5)}`);
    const standInKey = hex(sequence(32, 0x90, 7));
    return PLAINTEXTS.flatMap((spec, i) =>
      (["length-prefixed", "fixed-blob"] as const).map((layout) => {
        const [blob, key] = layout === "length-prefixed" ? [motoBlob, motoKey] : [standInBlob, standInKey];
        const iv = hex(sequence(12, 0x20 + i + (layout === "fixed-blob" ? 8 : 0), 3));
        return {
          name: `${layout}: ${spec.name}`,
          layout,
          source: layout === "length-prefixed" ? ("moto" as const) : ("stand-in" as const),
          blobHex: toHex(blob),
          dataKeyHex: toHex(key),
          ivHex: toHex(iv),
          plaintextHex: spec.plaintextHex,
          valueHex: toHex(referenceFrame(layout, blob, key, iv, hex(spec.plaintextHex))),
        };
      }),
    );
  } finally {
    await moto.stop();
  }
}

let committed: ReferenceVector[] = [];
beforeAll(async () => {
  if (process.env.UPDATE_VECTORS === "1") {
    const vectors = await generate();
    writeFileSync(
      FILE,
      `${JSON.stringify({ format: "restate-journal-encryption reference codec", vectors }, null, 2)}\n`,
    );
  }
  committed = existsSync(FILE)
    ? (JSON.parse(readFileSync(FILE, "utf8")) as { vectors: ReferenceVector[] }).vectors
    : [];
}, 120_000);

/** Stands in for KMS over the committed blobs only: a reference value's key, asked without context. */
function standInKms(vector: ReferenceVector): KeyProvider {
  return {
    kind: "aws-kms",
    generateDataKey: () => Promise.reject(new Error("not used")),
    unwrapDataKey: () => Promise.reject(new Error("a reference value never names its key")),
    async unwrapUnnamedDataKey({ wrappedKey, keyFingerprint, source }) {
      expect({ keyFingerprint, source }).toEqual({ keyFingerprint: undefined, source: "reference" });
      expect(toHex(wrappedKey)).toBe(vector.blobHex);
      return { key: hex(vector.dataKeyHex), keyId: "stand-in" };
    },
  };
}

describe("committed reference-codec vectors", () => {
  it("cover both layouts and every plaintext, and decode with readReferenceFormat", async () => {
    expect(committed).toHaveLength(PLAINTEXTS.length * 2);
    for (const vector of committed) {
      const value = hex(vector.valueHex);
      // The committed bytes are what the re-implemented writer produces from the recorded inputs.
      expect(
        toHex(
          referenceFrame(
            vector.layout,
            hex(vector.blobHex),
            hex(vector.dataKeyHex),
            hex(vector.ivHex),
            hex(vector.plaintextHex),
          ),
        ),
      ).toBe(vector.valueHex);
      expect(inspectEnvelope(value)).toMatchObject({
        format: "reference",
        layout: vector.layout,
        wrappedKeyLength: vector.blobHex.length / 2,
        nonceHex: vector.ivHex,
        ciphertextLength: vector.plaintextHex.length / 2,
      });
      expect(toHex(await openEnvelope(value, standInKms(vector), { readReferenceFormat: true }))).toBe(
        vector.plaintextHex,
      );
      // Overhead: 5 + 2 + blob + 28 (length-prefixed), 5 + 184 + 28 (fixed).
      const overhead = value.length - vector.plaintextHex.length / 2;
      expect(overhead).toBe(vector.layout === "fixed-blob" ? 217 : 35 + vector.blobHex.length / 2);
    }
  });

  it("refuses every truncation and every single-bit flip of the IV, ciphertext or tag", async () => {
    for (const vector of committed.filter((v) => v.plaintextHex.length > 0)) {
      const value = hex(vector.valueHex);
      const provider = standInKms(vector);
      const headerLength = inspectEnvelope(value).headerLength;
      for (let length = 0; length < value.length; length++) {
        const error = await openEnvelope(value.subarray(0, length), provider, { readReferenceFormat: true }).then(
          () => undefined,
          (e: { code?: string }) => e.code,
        );
        // Cut inside the header (the magic included) or the tag: the parser; inside the ciphertext: AES-GCM.
        const expected =
          length === 0 ? "not_encrypted" : length < headerLength + 16 ? "invalid_envelope" : "authentication_failed";
        expect(error).toBe(expected);
      }
      for (let bit = (headerLength - 12) * 8; bit < value.length * 8; bit += 3) {
        const copy = new Uint8Array(value);
        copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
        await expect(openEnvelope(copy, provider, { readReferenceFormat: true })).rejects.toMatchObject({
          code: "authentication_failed",
        });
      }
    }
  });
});
