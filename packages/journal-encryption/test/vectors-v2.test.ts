import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { aesGcm, type CryptoBackend } from "../src/aes-gcm.js";
import { fromHex, toHex, utf8Encode } from "../src/bytes.js";
import { encodeKeyHeader, sealEnvelope } from "../src/envelope.js";
import {
  createJournalCodec,
  inspectEnvelope,
  type KeyProvider,
  kmsKeyFingerprint,
  localKeyProvider,
  openEnvelope,
} from "../src/index.js";
import { wrapLocalDataKey } from "../src/local-key-provider.js";

/**
 * Version-2 vectors. Local ones are complete (the key-encryption key is in the vector); KMS ones
 * carry a fixed stand-in CiphertextBlob of AWS's size (184 B) and the data key it stands for, since
 * no KMS can be committed: they pin the byte layout and the fingerprint, not KMS itself (the moto
 * integration test covers that).
 */
interface Vector {
  name: string;
  provider: "local" | "aws-kms";
  keyId: string;
  dataKeyHex: string;
  valueNonceHex: string;
  plaintextHex: string;
  /** Local: the key-encryption key and wrap nonce. KMS: the CiphertextBlob. */
  keyEncryptionKeyHex?: string;
  wrapNonceHex?: string;
  wrappedKeyHex?: string;
  envelopeHex: string;
}

const FILE = fileURLToPath(new URL("./vectors/v2.json", import.meta.url));
const hex = (text: string) => fromHex(text) ?? new Uint8Array(0);
const sequence = (length: number, start: number, step: number) =>
  toHex(Uint8Array.from({ length }, (_, i) => (start + i * step) & 0xff));

function wrappedKeyOf(crypto: CryptoBackend, vector: Omit<Vector, "envelopeHex">): Uint8Array {
  if (vector.provider === "aws-kms") return hex(vector.wrappedKeyHex as string);
  return wrapLocalDataKey(
    aesGcm(crypto),
    hex(vector.keyEncryptionKeyHex as string),
    vector.keyId,
    hex(vector.dataKeyHex),
    hex(vector.wrapNonceHex as string),
  );
}

function build(crypto: CryptoBackend, vector: Omit<Vector, "envelopeHex">): string {
  const header = encodeKeyHeader(vector.provider, vector.keyId, wrappedKeyOf(crypto, vector), 2);
  const aes = aesGcm(crypto);
  return toHex(sealEnvelope(aes, header, hex(vector.dataKeyHex), hex(vector.plaintextHex), hex(vector.valueNonceHex)));
}

const ARN = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SPECS: Omit<Vector, "envelopeHex">[] = [
  { name: "local: short JSON string", provider: "local" as const, plaintextHex: toHex(utf8Encode('"hello, journal"')) },
  { name: "local: empty value", provider: "local" as const, plaintextHex: "" },
  {
    name: "aws-kms: short JSON string",
    provider: "aws-kms" as const,
    plaintextHex: toHex(utf8Encode('"hello, journal"')),
  },
  { name: "aws-kms: 300 bytes binary", provider: "aws-kms" as const, plaintextHex: sequence(300, 7, 13) },
].map((spec, i) =>
  spec.provider === "local"
    ? {
        ...spec,
        keyId: "kek-2026-01",
        keyEncryptionKeyHex: sequence(32, 0x10 + i, 1),
        dataKeyHex: sequence(32, 0x80 + i, 3),
        wrapNonceHex: sequence(12, 0xc0 + i, 1),
        valueNonceHex: sequence(12, 0x20 + i, 5),
      }
    : {
        ...spec,
        keyId: ARN,
        // AWS blobs begin 01 02 02 00 78; the rest stands in for KMS's opaque bytes.
        wrappedKeyHex: `0102020078${sequence(179, 0x31 + i, 7)}`,
        dataKeyHex: sequence(32, 0x80 + i, 3),
        valueNonceHex: sequence(12, 0x20 + i, 5),
      },
);

if (process.env.UPDATE_VECTORS === "1") {
  const vectors: Vector[] = SPECS.map((spec) => ({ ...spec, envelopeHex: build("noble", spec) }));
  writeFileSync(FILE, `${JSON.stringify({ format: "restate-journal-envelope", version: 2, vectors }, null, 2)}\n`);
}

const committed: Vector[] = existsSync(FILE)
  ? (JSON.parse(readFileSync(FILE, "utf8")) as { vectors: Vector[] }).vectors
  : [];

/** Stands in for KMS over the committed blobs only: returns a vector's data key for its blob. */
function standInKms(vector: Vector): KeyProvider {
  return {
    kind: "aws-kms",
    generateDataKey: () => Promise.reject(new Error("not used")),
    unwrapDataKey: () => Promise.reject(new Error("a version-2 KMS envelope never names its key")),
    async unwrapUnnamedDataKey({ wrappedKey, keyFingerprint, source }) {
      expect(source).toBe("envelope");
      expect(keyFingerprint).toBe(kmsKeyFingerprint(vector.keyId));
      expect(toHex(wrappedKey)).toBe(vector.wrappedKeyHex);
      return { key: hex(vector.dataKeyHex), keyId: vector.keyId };
    },
  };
}

describe("committed test vectors (format version 2)", () => {
  it("exist and cover every spec", () => {
    expect(committed.map((v) => v.name)).toEqual(SPECS.map((s) => s.name));
  });

  for (const vector of committed) {
    it(`${vector.name}: decodes, and its header says what FORMAT.md says`, async () => {
      const envelope = hex(vector.envelopeHex);
      const provider =
        vector.provider === "local"
          ? localKeyProvider({
              keys: { [vector.keyId]: hex(vector.keyEncryptionKeyHex as string) },
              activeKeyId: vector.keyId,
            })
          : standInKms(vector);
      expect(toHex(await openEnvelope(envelope, provider))).toBe(vector.plaintextHex);
      const info = inspectEnvelope(envelope);
      expect(info).toMatchObject({ format: "envelope", version: 2, provider: vector.provider });
      const plaintextLength = vector.plaintextHex.length / 2;
      if (vector.provider === "aws-kms") {
        expect(info).toMatchObject({ keyId: undefined, keyFingerprint: kmsKeyFingerprint(ARN), wrappedKeyLength: 184 });
        // The reference codec's overhead with the same blob: 5 + 2 + 184 + 12 + 16 = 219 bytes.
        expect(envelope.length - plaintextLength).toBe(219);
      } else {
        expect(info).toMatchObject({ keyId: vector.keyId, keyFingerprint: undefined, wrappedKeyLength: 60 });
        expect(envelope.length - plaintextLength).toBe(35 + vector.keyId.length + 60);
        const codec = await createJournalCodec({ keyProvider: provider });
        expect(toHex(await codec.decode(envelope))).toBe(vector.plaintextHex);
        codec.close();
      }
    });

    it(`${vector.name}: is reproduced byte for byte by both AES-GCM implementations`, () => {
      expect(build("noble", vector)).toBe(vector.envelopeHex);
      expect(build("node", vector)).toBe(vector.envelopeHex);
    });
  }
});

describe("FORMAT.md, version 2", () => {
  it("its worked example is byte for byte the committed vector it names", () => {
    const format = readFileSync(fileURLToPath(new URL("../FORMAT.md", import.meta.url)), "utf8");
    const example = format.slice(format.indexOf("### Version 2, worked example"));
    const open = example.indexOf("```") + 3;
    const block = example.slice(open, example.indexOf("```", open));
    const hexColumn = block
      .split("\n")
      .map((line) => line.trim().split(/\s+/)[0] ?? "")
      .filter((token) => /^[0-9a-f]+$/.test(token))
      .join("");
    const vector = committed.find((v) => v.name === "aws-kms: short JSON string");
    expect(hexColumn).toBe(vector?.envelopeHex);
  });
});
