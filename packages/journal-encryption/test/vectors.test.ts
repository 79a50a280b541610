import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { aesGcm, type CryptoBackend } from "../src/aes-gcm.js";
import { fromHex, toHex, utf8Encode } from "../src/bytes.js";
import { encodeKeyHeader, sealEnvelope } from "../src/envelope.js";
import { createJournalCodec, inspectEnvelope, localKeyProvider, openEnvelope } from "../src/index.js";
import { wrapLocalDataKey } from "../src/local-key-provider.js";

interface Vector {
  name: string;
  keyId: string;
  keyEncryptionKeyHex: string;
  dataKeyHex: string;
  wrapNonceHex: string;
  valueNonceHex: string;
  plaintextHex: string;
  envelopeHex: string;
}

const FILE = fileURLToPath(new URL("./vectors/v1.json", import.meta.url));

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === undefined) throw new Error(`bad hex in vector: ${text}`);
  return bytes;
}

function build(backend: CryptoBackend, vector: Omit<Vector, "envelopeHex">): string {
  const aes = aesGcm(backend);
  const wrapped = wrapLocalDataKey(
    aes,
    hex(vector.keyEncryptionKeyHex),
    vector.keyId,
    hex(vector.dataKeyHex),
    hex(vector.wrapNonceHex),
  );
  const header = encodeKeyHeader("local", vector.keyId, wrapped);
  return toHex(sealEnvelope(aes, header, hex(vector.dataKeyHex), hex(vector.plaintextHex), hex(vector.valueNonceHex)));
}

function sequence(length: number, start: number, step: number): string {
  return toHex(Uint8Array.from({ length }, (_, i) => (start + i * step) & 0xff));
}

const SPECS: Omit<Vector, "envelopeHex">[] = [
  { name: "empty value", plaintextHex: "" },
  { name: "short JSON string", plaintextHex: toHex(utf8Encode('"hello, journal"')) },
  { name: "JSON object with unicode", plaintextHex: toHex(utf8Encode('{"name":"Zoë","amount":42,"tags":["ä","€"]}')) },
  { name: "300 bytes binary", plaintextHex: sequence(300, 7, 13) },
].map((spec, i) => ({
  ...spec,
  keyId: i === 3 ? "kek-2026-06" : "kek-2026-01",
  keyEncryptionKeyHex: sequence(32, 0x10 + i, 1),
  dataKeyHex: sequence(32, 0x80 + i, 3),
  wrapNonceHex: sequence(12, 0xc0 + i, 1),
  valueNonceHex: sequence(12, 0x20 + i, 5),
}));

if (process.env.UPDATE_VECTORS === "1") {
  const vectors: Vector[] = SPECS.map((spec) => ({ ...spec, envelopeHex: build("noble", spec) }));
  writeFileSync(FILE, `${JSON.stringify({ format: "restate-journal-envelope", version: 1, vectors }, null, 2)}\n`);
}

const committed: Vector[] = existsSync(FILE)
  ? (JSON.parse(readFileSync(FILE, "utf8")) as { vectors: Vector[] }).vectors
  : [];

describe("committed test vectors (format version 1)", () => {
  it("exist and cover every spec", () => {
    expect(committed.map((v) => v.name)).toEqual(SPECS.map((s) => s.name));
  });

  for (const vector of committed) {
    it(`${vector.name}: decodes with the local key provider and a codec`, async () => {
      const provider = localKeyProvider({
        keys: { [vector.keyId]: hex(vector.keyEncryptionKeyHex) },
        activeKeyId: vector.keyId,
      });
      const envelope = hex(vector.envelopeHex);
      expect(toHex(await openEnvelope(envelope, provider))).toBe(vector.plaintextHex);
      const codec = await createJournalCodec({ keyProvider: provider });
      expect(toHex(await codec.decode(envelope))).toBe(vector.plaintextHex);
      codec.close();
      const info = inspectEnvelope(envelope);
      expect(info).toMatchObject({ version: 1, provider: "local", keyId: vector.keyId, wrappedKeyLength: 60 });
      expect(info.ciphertextLength).toBe(vector.plaintextHex.length / 2);
      expect(info.nonceHex).toBe(vector.valueNonceHex);
    });

    it(`${vector.name}: is reproduced byte for byte by both AES-GCM backends`, () => {
      expect(build("noble", vector)).toBe(vector.envelopeHex);
      expect(build("node", vector)).toBe(vector.envelopeHex);
    });
  }
});

describe("FORMAT.md", () => {
  it("its worked example is byte for byte the committed vector it names", () => {
    const format = readFileSync(fileURLToPath(new URL("../FORMAT.md", import.meta.url)), "utf8");
    const example = format.slice(format.indexOf("## Worked example"));
    const block = example.slice(example.indexOf("```") + 3, example.indexOf("```", example.indexOf("```") + 3));
    const hexColumn = block
      .split("\n")
      .map((line) => line.trim().split(/\s+/)[0] ?? "")
      .filter((token) => /^[0-9a-f]+$/.test(token))
      .join("");
    const vector = committed.find((v) => v.name === "short JSON string");
    expect(hexColumn).toBe(vector?.envelopeHex);
  });
});
