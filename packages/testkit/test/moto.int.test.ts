import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isAlive, type MotoServer, startMoto } from "../src/index.js";

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
  if (moto) expect(isAlive(moto.pid)).toBe(false);
});

it("answers a KMS CreateKey + GenerateDataKey + Decrypt round trip", async () => {
  const kms = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
  const key = await kms.send(new CreateKeyCommand({ Description: "testkit" }));
  const keyId = key.KeyMetadata?.KeyId;
  expect(keyId).toBeTruthy();
  const dataKey = await kms.send(
    new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { purpose: "test" } }),
  );
  expect(dataKey.Plaintext?.length).toBe(32);
  const decrypted = await kms.send(
    new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { purpose: "test" } }),
  );
  expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(dataKey.Plaintext ?? []))).toBe(true);
  await expect(
    kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { purpose: "other" } })),
  ).rejects.toThrow();
});
