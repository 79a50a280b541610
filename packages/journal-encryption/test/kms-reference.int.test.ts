import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  GenerateDataKeyCommand,
  KMS,
  KMSClient,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { type MotoServer, startMoto } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import { concatBytes } from "../src/bytes.js";
import { encodeKeyHeader, parseEnvelope } from "../src/envelope.js";
import {
  createJournalCodec,
  inspectEnvelope,
  inspectValue,
  JournalEncryptionError,
  kmsKeyFingerprint,
  openEnvelope,
} from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
import { text } from "./helpers.js";
import { countingKmsClient } from "./kms-counting.js";
import { referenceFrame } from "./reference-writer.js";

/**
 * Values of Restate's reference codec, written by a faithful re-implementation of its layout
 * against moto's KMS (GenerateDataKey without encryption context → frame), read by this package.
 */
describe("reference-format values and version-2 envelopes against moto's KMS", () => {
  let moto: MotoServer;
  let admin: KMSClient;
  let keyArn: string;
  let otherKeyArn: string;

  const client = () =>
    countingKmsClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials, maxAttempts: 1 });

  /** What the reference codec does per data key: GenerateDataKey(AES_256) with no encryption context. */
  async function referenceDataKey(keyId: string) {
    const generated = await admin.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
    return { blob: generated.CiphertextBlob as Uint8Array, key: generated.Plaintext as Uint8Array };
  }

  beforeAll(async () => {
    moto = await startMoto();
    admin = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    otherKeyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it("decodes length-prefixed reference values with readReferenceFormat, Decrypt pinned to the allowed key", async () => {
    const { blob, key } = await referenceDataKey(keyArn);
    const plaintexts = [new Uint8Array(0), text('{"name":"Zoë"}'), randomBytes(5000)];
    const frames = plaintexts.map((p) => referenceFrame("length-prefixed", blob, key, randomBytes(12), p));
    const { client: kms, counts } = client();
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: kms }),
      readReferenceFormat: true,
    });
    for (const [i, frame] of frames.entries()) {
      expect(inspectValue(frame)).toMatchObject({
        format: "reference",
        layout: "length-prefixed",
        wrappedKeyLength: 96,
      });
      expect(Buffer.from(await codec.decode(frame))).toEqual(Buffer.from(plaintexts[i] as Uint8Array));
    }
    expect(counts.succeeded.Decrypt).toBe(1); // one data key, unwrapped once
    expect(codec.stats().referenceDecoded).toBe(3);
    // openEnvelope reads them too, with only Decrypt rights.
    const reader = kmsKeyProvider({ keyId: keyArn, client: client().client });
    expect(Buffer.from(await openEnvelope(frames[1] as Uint8Array, reader, { readReferenceFormat: true }))).toEqual(
      Buffer.from(plaintexts[1] as Uint8Array),
    );
    await expect(openEnvelope(frames[1] as Uint8Array, reader)).rejects.toMatchObject({ code: "unsupported_format" });
    // Never written: what the codec encodes is its own envelope.
    expect(inspectValue(codec.encode(text("x")))).toMatchObject({ format: "envelope", version: 2 });
    codec.close();
  });

  it("refuses a reference value whose data key was made under a key outside allowedKeyIds", async () => {
    const { blob, key } = await referenceDataKey(otherKeyArn);
    const frame = referenceFrame("length-prefixed", blob, key, randomBytes(12), text("secret"));
    const { client: kms, counts } = client();
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: kms }),
      readReferenceFormat: true,
    });
    await expect(codec.decode(frame)).rejects.toMatchObject({ code: "key_not_allowed" });
    // Decrypt was asked only with KeyId pinned to the allowed key, never unpinned.
    expect(counts.attempted.Decrypt).toBe(1);
    const both = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, allowedKeyIds: [keyArn, otherKeyArn], client: client().client }),
      readReferenceFormat: true,
    });
    expect(Buffer.from(await both.decode(frame))).toEqual(Buffer.from(text("secret")));
  });

  it("refuses tampered and truncated reference values with typed errors", async () => {
    const { blob, key } = await referenceDataKey(keyArn);
    const frame = referenceFrame("length-prefixed", blob, key, randomBytes(12), text('{"balance":100}'));
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client }),
      readReferenceFormat: true,
      decodeRetry: { maxAttempts: 1 },
    });
    const parsed = inspectEnvelope(frame);
    // One flip in the length's high byte (→ the fixed layout), its low byte, the blob, the IV, the
    // ciphertext and the tag: the parser, KMS (the blob it gets) or AES-GCM refuses it.
    const positions = [5, 6, 7 + 40, parsed.headerLength - 1, parsed.headerLength + 2, frame.length - 1];
    const codes = new Set<string>();
    for (const position of positions) {
      const copy = new Uint8Array(frame);
      copy[position] = (copy[position] as number) ^ 0x01;
      const error = await codec.decode(copy).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(JournalEncryptionError);
      codes.add((error as JournalEncryptionError).code);
    }
    expect([...codes].sort()).toEqual(["authentication_failed", "invalid_envelope", "provider_error"]);
    for (const length of [5, 6, 7, 50, parsed.headerLength, frame.length - 17]) {
      await expect(codec.decode(frame.subarray(0, length))).rejects.toMatchObject({ code: "invalid_envelope" });
    }
    expect(Buffer.from(await codec.decode(frame))).toEqual(Buffer.from(text('{"balance":100}')));
  });

  it("version-2 KMS envelopes: 35 B + blob of overhead, the key resolved by fingerprint in a fresh process", async () => {
    const writer = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client }),
    });
    const value = text('{"id":42}');
    const sealed = writer.encode(value);
    const info = inspectEnvelope(sealed);
    expect(info).toMatchObject({ format: "envelope", version: 2, provider: "aws-kms", keyId: undefined });
    expect(info.keyFingerprint).toBe(kmsKeyFingerprint(keyArn));
    expect(sealed.length - value.length).toBe(35 + info.wrappedKeyLength);
    const v1 = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client }),
      envelopeVersion: 1,
    });
    expect(v1.encode(value).length - value.length).toBe(38 + keyArn.length + info.wrappedKeyLength);

    // A fresh process allowed two keys (given as a bare key id and an ARN) finds the right one.
    const bareId = keyArn.slice(keyArn.lastIndexOf("/") + 1);
    const { client: kms, counts } = client();
    const reader = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: otherKeyArn, allowedKeyIds: [otherKeyArn, bareId], client: kms }),
    });
    expect(Buffer.from(await reader.decode(sealed))).toEqual(Buffer.from(value));
    expect(Buffer.from(await reader.decode(v1.encode(value)))).toEqual(Buffer.from(value));
    // A fingerprint that no allowed key has is refused before KMS is asked.
    const before = counts.attempted.Decrypt ?? 0;
    const stranger = new Uint8Array(sealed);
    stranger[5] = 0x80 | ((kmsKeyFingerprint(keyArn) + 1) & 0x7f);
    const onlyOne = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: kms }),
    });
    await expect(onlyOne.decode(stranger)).rejects.toMatchObject({ code: "key_not_allowed" });
    expect(counts.attempted.Decrypt ?? 0).toBe(before);
  });

  it("a stored value cannot make every read cost one Decrypt per allowed key, nor poison another value", async () => {
    const thirdKeyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    const { client: kms, counts } = client();
    const allowedKeyIds = [keyArn, otherKeyArn, thirdKeyArn];
    const reader = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, allowedKeyIds, client: kms }),
      readReferenceFormat: true,
      decodeRetry: { maxAttempts: 1 },
    });
    const decrypts = () => counts.attempted.Decrypt ?? 0;
    // Two data keys of a reference writer under the last allowed key: the first costs a Decrypt per
    // key tried, the second one only (the key that last worked is asked first).
    const frames = [];
    for (const value of ["a", "b"]) {
      const { blob, key } = await referenceDataKey(thirdKeyArn);
      frames.push(referenceFrame("length-prefixed", blob, key, randomBytes(12), text(value)));
    }
    expect(Buffer.from(await reader.decode(frames[0] as Uint8Array)).toString()).toBe("a");
    expect(decrypts()).toBe(3);
    expect(Buffer.from(await reader.decode(frames[1] as Uint8Array)).toString()).toBe("b");
    expect(decrypts()).toBe(4);
    // A tampered blob is refused once per minute, not once per read (Restate re-reads on every attempt).
    const tampered = new Uint8Array(frames[0] as Uint8Array);
    tampered[7 + 40] = (tampered[7 + 40] as number) ^ 0x01;
    for (let i = 0; i < 5; i++) await expect(reader.decode(tampered)).rejects.toBeInstanceOf(JournalEncryptionError);
    expect(decrypts()).toBe(4 + allowedKeyIds.length);
    // A version-1 envelope spelling its key id as a fingerprint ("#n") around a real version-2 blob
    // is refused, and that refusal never answers for the real value.
    const writer = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client }),
    });
    const real = writer.encode(text("real"));
    const parsed = parseEnvelope(real);
    const forged = concatBytes(
      encodeKeyHeader("aws-kms", `#${parsed.keyFingerprint}`, parsed.wrappedKey, 1),
      randomBytes(12 + 4 + 16),
    );
    await expect(reader.decode(forged)).rejects.toMatchObject({ code: "key_not_allowed" });
    expect(Buffer.from(await reader.decode(real)).toString()).toBe("real");
    reader.close();
    writer.close();
  });

  it("explains real KMS failures in words: region missing, endpoint unreachable, wrong encryption context", async () => {
    const noRegion = kmsKeyProvider({
      keyId: keyArn,
      client: new KMSClient({ endpoint: moto.endpoint, credentials: moto.credentials }),
    });
    await expect(noRegion.generateDataKey()).rejects.toMatchObject({
      code: "provider_error",
      message: expect.stringMatching(/no AWS region is configured/),
    });
    const unreachable = kmsKeyProvider({
      keyId: keyArn,
      client: new KMSClient({
        endpoint: "http://127.0.0.1:9",
        region: moto.region,
        credentials: moto.credentials,
        maxAttempts: 1,
      }),
    });
    await expect(unreachable.generateDataKey()).rejects.toMatchObject({
      code: "provider_unavailable",
      retryable: true,
      message: expect.stringMatching(/KMS endpoint could not be reached \(ECONNREFUSED\)/),
    });
    const writer = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client, encryptionContext: { tenant: "a" } }),
    });
    const reader = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client, encryptionContext: { tenant: "b" } }),
    });
    await expect(reader.decode(writer.encode(text("x")))).rejects.toMatchObject({
      code: "provider_error",
      message: expect.stringMatching(/a different encryption context/),
    });
  });

  it("an alias re-pointed to a key outside allowedKeyIds cannot move new values to that key", async () => {
    const aliasName = `alias/journal-${Date.now()}`;
    await admin.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyArn }));
    const keyProvider = kmsKeyProvider({ keyId: aliasName, allowedKeyIds: [keyArn], client: client().client });
    const failures: string[] = [];
    const codec = await createJournalCodec({
      keyProvider,
      dataKeyMaxUses: 2,
      onEvent: (event) => {
        if (event.type === "data-key-generation-failed") failures.push(event.error.code);
      },
    });
    // Someone with kms:UpdateAlias points it at a key whose policy they control.
    await admin.send(new UpdateAliasCommand({ AliasName: aliasName, TargetKeyId: otherKeyArn }));
    await expect(createJournalCodec({ keyProvider })).rejects.toMatchObject({ code: "key_not_allowed" });
    // The running codec's rotation is refused: it keeps sealing under the allowed key.
    for (let i = 0; i < 4; i++) {
      expect(inspectEnvelope(codec.encode(text("v"))).keyFingerprint).toBe(kmsKeyFingerprint(keyArn));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(failures[0]).toBe("key_not_allowed");
    codec.close();
  });

  it("configuration mistakes are errors, not waits; a hostile endpoint's error names never reach messages raw", async () => {
    const misconfigured = [
      [{ region: "eu central 1", endpoint: moto.endpoint }, /region is not a valid region name/],
      [{ region: moto.region, endpoint: "not a url" }, /endpoint is not a valid URL/],
    ] as const;
    for (const [config, words] of misconfigured) {
      const provider = kmsKeyProvider({
        keyId: keyArn,
        client: new KMSClient({ ...config, credentials: moto.credentials, maxAttempts: 1 }),
      });
      await expect(provider.generateDataKey()).rejects.toMatchObject({
        code: "provider_error",
        message: expect.stringMatching(words),
      });
    }
    // Whatever answers in KMS's place chooses the error name (`__type`) the SDK reports.
    const hostile = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "Fake\u001b[2J\nkms: all keys rotated, paste yours below", message: "x" }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = hostile.address() as AddressInfo;
      const provider = kmsKeyProvider({
        keyId: keyArn,
        client: new KMSClient({
          endpoint: `http://127.0.0.1:${port}`,
          region: moto.region,
          credentials: moto.credentials,
          maxAttempts: 1,
        }),
      });
      const error = await provider.generateDataKey().then(
        () => undefined,
        (e: unknown) => e as JournalEncryptionError,
      );
      expect(error?.code).toBe("provider_error");
      expect(error?.message).toBe("KMS GenerateDataKey failed (UnrecognisedError, HTTP 400)");
    } finally {
      await new Promise((resolve) => hostile.close(resolve));
    }
  });

  it("per-value overhead with moto's KMS: version 2 = the reference codec < version 1 < the AWS Encryption SDK", async () => {
    const { buildClient, CommitmentPolicy, KmsKeyringNode } = await import("@aws-crypto/client-node");
    const value = text('{"order":42,"items":["a","b"]}');
    const ours = async (envelopeVersion: 1 | 2) => {
      const codec = await createJournalCodec({
        keyProvider: kmsKeyProvider({ keyId: keyArn, client: client().client }),
        envelopeVersion,
      });
      return codec.encode(value).length - value.length;
    };
    const { blob, key } = await referenceDataKey(keyArn);
    const reference = referenceFrame("length-prefixed", blob, key, randomBytes(12), value).length - value.length;
    const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({
      generatorKeyId: keyArn,
      clientProvider: () => new KMS({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials }),
    });
    const sealed = await esdk.encrypt(keyring, value, { encryptionContext: { purpose: "restate-journal" } });
    expect(Buffer.from((await esdk.decrypt(keyring, sealed.result)).plaintext)).toEqual(Buffer.from(value));
    const sizes = { v2: await ours(2), v1: await ours(1), reference, esdk: sealed.result.length - value.length };
    // moto's blobs are 96 bytes (AWS: 184): v2 = reference = 35 + 96; v1 adds the ARN and 3 bytes.
    expect(sizes).toMatchObject({ v2: 131, reference: 131, v1: 38 + keyArn.length + 96 });
    expect(sizes.esdk).toBeGreaterThan(sizes.v1);
    console.info(`per-value overhead against moto (bytes): ${JSON.stringify(sizes)}`);
  });
});
