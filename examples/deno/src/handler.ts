import { ConfigError, type Environment, readServiceConfig, SETTINGS } from "@restate-connect/example-service-settings";
import { createVerifier } from "@restate-connect/identity";
import { type AdapterRejection, withIdentity } from "@restate-connect/identity/fetch";
import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import { createEndpointHandler } from "@restatedev/restate-sdk/fetch";
import { vault } from "./services.ts";

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * The Restate endpoint as one fetch handler: the SDK's fetch endpoint with the journal codec (local
 * keys from `JOURNAL_KEYS`), behind request identity (`RESTATE_IDENTITY_KEYS`). Throws a
 * `ConfigError` naming the variable when a setting is missing or malformed.
 *
 * @example
 * ```ts
 * Deno.serve({ port: 9080 }, createRestateHandler(Deno.env.toObject()));
 * ```
 */
export function createRestateHandler(env: Environment, onReject?: (rejection: AdapterRejection) => void): FetchHandler {
  const config = readServiceConfig(env);
  if (config.journal.provider !== "local") {
    // Keeps the AWS SDK out of the deployment; see the README for using KMS.
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.journalKmsKeyId,
      `this service is built for ${SETTINGS.journalKeys} (local keys)`,
    );
  }
  const { keys, activeKeyId } = config.journal;
  const codec = createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId }) });
  const sdkHandler = createEndpointHandler({
    services: [vault],
    journalValueCodecProvider: () => codec,
    ...("keys" in config.identity ? { identityKeys: [...config.identity.keys] } : {}),
  });
  const verifier = createVerifier(
    "keys" in config.identity ? { keys: config.identity.keys } : { keys: [], allowUnsigned: true },
  );
  return withIdentity((request: Request) => sdkHandler(request), { verifier, onReject });
}
