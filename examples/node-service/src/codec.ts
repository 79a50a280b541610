import { createJournalCodec, type JournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import type { EncryptionConfig } from "./config.ts";

/**
 * Builds the journal codec the service and the ingress client share. The KMS provider (and with it
 * the AWS SDK) is loaded only when KMS is configured.
 *
 * @example
 * const codec = await createCodec(encryptionFromEnv(process.env));
 */
export async function createCodec(config: EncryptionConfig): Promise<JournalCodec> {
  if (config.provider === "local") {
    return createJournalCodec({
      keyProvider: localKeyProvider({ keys: { ...config.keys }, activeKeyId: config.activeKeyId }),
    });
  }
  const [{ KMSClient }, { kmsKeyProvider }] = await Promise.all([
    import("@aws-sdk/client-kms"),
    import("@restate-connect/journal-encryption/kms"),
  ]);
  const client = new KMSClient({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
  return createJournalCodec({
    keyProvider: kmsKeyProvider({
      keyId: config.keyId,
      client,
      ...(config.allowedKeyIds ? { allowedKeyIds: [...config.allowedKeyIds] } : {}),
    }),
  });
}
