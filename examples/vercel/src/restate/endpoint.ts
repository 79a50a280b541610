import { type Environment, type JournalConfig, readServiceConfig } from "@restate-connect/example-service-settings";
import { createVerifier } from "@restate-connect/identity";
import { withIdentity } from "@restate-connect/identity/fetch";
import {
  createJournalCodec,
  detectCrypto,
  type KeyProvider,
  lazyJournalCodec,
  localKeyProvider,
} from "@restate-connect/journal-encryption";
import { createEndpointHandler } from "@restatedev/restate-sdk/fetch";
import { greeter } from "./greeter";

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * The key provider for the configured journal keys: local keys, or AWS KMS (credentials and region
 * from the usual `AWS_*` environment variables).
 *
 * @example
 * ```ts
 * const codec = await createJournalCodec({ keyProvider: await journalKeyProvider(readServiceConfig(process.env).journal) });
 * ```
 */
export async function journalKeyProvider(journal: JournalConfig): Promise<KeyProvider> {
  if (journal.provider === "local")
    return localKeyProvider({ keys: { ...journal.keys }, activeKeyId: journal.activeKeyId });
  // Loaded only when KMS is configured, so deployments on local keys never load the AWS SDK.
  const { kmsKeyProvider } = await import("@restate-connect/journal-encryption/kms");
  return kmsKeyProvider({
    keyId: journal.keyId,
    // Unset: the provider's default, which also accepts an alias as the key.
    ...(journal.allowedKeyIds ? { allowedKeyIds: [...journal.allowedKeyIds] } : {}),
  });
}

/**
 * Builds the Restate endpoint for this app: the SDK's fetch handler (request-response mode, which is
 * what serverless platforms support) with the journal codec, behind request-identity verification.
 * Throws `ConfigError` when the environment is incomplete.
 *
 * @example
 * ```ts
 * const handler = createRestateHandler(process.env);
 * const response = await handler(request);
 * ```
 */
export function createRestateHandler(env: Environment): FetchHandler {
  const config = readServiceConfig(env);
  // Started on first use and again after a failed start: the SDK keeps the provider's promise for
  // the instance's life, so a KMS failure at a cold start must not become that promise.
  const codec = lazyJournalCodec(async () =>
    createJournalCodec({ keyProvider: await journalKeyProvider(config.journal) }),
  );
  const sdkHandler = createEndpointHandler({ services: [greeter], journalValueCodecProvider: codec.provider });
  const verifier = createVerifier(
    "keys" in config.identity ? { keys: config.identity.keys } : { keys: [], allowUnsigned: true },
  );
  // One line per instance so operators can see which crypto implementations this runtime provides.
  verifier.ready().then(
    (backend) =>
      console.info(
        `restate endpoint ready: request identity uses ${backend} Ed25519, journal codec uses ${detectCrypto()} AES-GCM`,
      ),
    () => undefined,
  );
  return withIdentity((request: Request) => sdkHandler(request), {
    verifier,
    onReject: (reason) => console.warn(`restate request rejected: ${reason.code}: ${reason.message}`),
  });
}
