import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { readServiceConfig } from "@restate-connect/example-service-settings";
import { generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, isJournalEncryptionError, type JournalCodec } from "@restate-connect/journal-encryption";
import { type MotoServer, startMoto } from "@restate-connect/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { journalKeyProvider } from "../src/restate/endpoint.js";

// The KMS option end to end against moto's KMS: the same environment variables a Vercel project sets.
let moto: MotoServer | undefined;
let keyA = "";
let keyB = "";
const codecs: JournalCodec[] = [];
const identityKey = generateKeyPair().publicKey;
const ALIAS = "alias/vercel-journal";

beforeAll(async () => {
  moto = await startMoto();
  const admin = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
  keyA = (await admin.send(new CreateKeyCommand({ Description: "vercel example A" }))).KeyMetadata?.Arn ?? "";
  keyB = (await admin.send(new CreateKeyCommand({ Description: "vercel example B" }))).KeyMetadata?.Arn ?? "";
  await admin.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyA }));
  admin.destroy();
}, 120_000);

afterEach(() => {
  for (const codec of codecs.splice(0)) codec.close();
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await moto?.stop();
});

async function codecFor(env: Record<string, string>): Promise<JournalCodec> {
  vi.stubEnv("AWS_ENDPOINT_URL_KMS", moto!.endpoint);
  vi.stubEnv("AWS_REGION", moto!.region);
  vi.stubEnv("AWS_ACCESS_KEY_ID", moto!.credentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", moto!.credentials.secretAccessKey);
  const { journal } = readServiceConfig({ RESTATE_IDENTITY_KEYS: identityKey, ...env });
  expect(journal.provider).toBe("kms");
  const codec = await createJournalCodec({ keyProvider: await journalKeyProvider(journal) });
  codecs.push(codec);
  return codec;
}

describe("JOURNAL_KMS_KEY_ID", () => {
  it("encrypts with a KMS data key that another instance unwraps through KMS", async () => {
    const value = new TextEncoder().encode(JSON.stringify({ greeting: "Hello, Ada!" }));
    const encoded = (await codecFor({ JOURNAL_KMS_KEY_ID: keyA })).encode(value);
    expect(Buffer.from(encoded).includes(Buffer.from("Ada"))).toBe(false);

    const otherInstance = await codecFor({ JOURNAL_KMS_KEY_ID: keyA });
    expect(await otherInstance.decode(encoded)).toEqual(value);
  });

  it("refuses a value wrapped under a KMS key that is not allowed", async () => {
    const foreign = (await codecFor({ JOURNAL_KMS_KEY_ID: keyB })).encode(new Uint8Array([1, 2, 3]));
    const codec = await codecFor({ JOURNAL_KMS_KEY_ID: keyA });
    const error = await codec.decode(foreign).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isJournalEncryptionError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("key_not_allowed");
  });

  it("decodes older values once their key is listed in JOURNAL_KMS_ALLOWED_KEY_IDS", async () => {
    const old = (await codecFor({ JOURNAL_KMS_KEY_ID: keyB })).encode(new Uint8Array([4, 5, 6]));
    const codec = await codecFor({ JOURNAL_KMS_KEY_ID: keyA, JOURNAL_KMS_ALLOWED_KEY_IDS: `${keyA},${keyB}` });
    expect(await codec.decode(old)).toEqual(new Uint8Array([4, 5, 6]));
  });

  it("accepts an alias as the key, allowing the key it points to (named by ARN) for decoding", async () => {
    const value = new Uint8Array([7, 8, 9]);
    const viaAlias = await codecFor({ JOURNAL_KMS_KEY_ID: ALIAS });
    const encoded = viaAlias.encode(value);
    expect(await viaAlias.decode(encoded)).toEqual(value);
    const otherInstance = await codecFor({ JOURNAL_KMS_KEY_ID: ALIAS, JOURNAL_KMS_ALLOWED_KEY_IDS: keyA });
    expect(await otherInstance.decode(encoded)).toEqual(value);
  });
});
