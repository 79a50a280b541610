import { ConfigError, type Environment, readServiceConfig, SETTINGS } from "@restate-connect/example-service-settings";
import { createVerifier } from "@restate-connect/identity";
import { withIdentity } from "@restate-connect/identity/fetch";
import {
  createJournalCodec,
  detectCrypto,
  lazyJournalCodec,
  localKeyProvider,
} from "@restate-connect/journal-encryption";
import { createEndpointHandler } from "@restatedev/restate-sdk-cloudflare-workers/fetch";
import { greeter } from "./greeter.js";

type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Builds the Restate endpoint from the Worker's bindings: the SDK's fetch handler with the journal
 * codec (local keys from the `JOURNAL_KEYS` secret), behind request-identity verification.
 */
function createRestateHandler(env: Environment): FetchHandler {
  const config = readServiceConfig(env);
  if (config.journal.provider !== "local") {
    // Keeps the AWS SDK out of the Worker bundle; see the README for using KMS from a Worker.
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.journalKmsKeyId,
      `this Worker is built for ${SETTINGS.journalKeys} (local keys)`,
    );
  }
  const { keys, activeKeyId } = config.journal;
  // Started on first use and again after a failed start, as on every serverless platform: the SDK
  // keeps the provider's promise for the isolate's life.
  const codec = lazyJournalCodec(() => createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId }) }));
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

// One handler per isolate: a deployment's bindings do not change between its requests.
let handler: FetchHandler | undefined;

export default {
  async fetch(request: Request, env: Environment): Promise<Response> {
    try {
      handler ??= createRestateHandler(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`restate endpoint misconfigured: ${error.message}`);
      return Response.json({ code: error.code }, { status: 500 });
    }
    return handler(request);
  },
};
