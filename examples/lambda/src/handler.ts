import type { KMSClient } from "@aws-sdk/client-kms";
import { withIdentity } from "@restate-connect/identity/lambda";
import { createJournalCodec, type JournalCodec } from "@restate-connect/journal-encryption";
import { kmsKeyProvider } from "@restate-connect/journal-encryption/kms";
import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
import type { HandlerConfig } from "./config.ts";
import { JOURNAL_ENCRYPTION_CONTEXT } from "./encryption-context.ts";
import { profiles } from "./service.ts";

/** A Lambda handler as the Lambda runtime calls it. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface CreateHandlerOptions extends HandlerConfig {
  /** KMS client to use; default `new KMSClient({})` (region and credentials from the Lambda environment). */
  kmsClient?: KMSClient;
  /** Sees why a request was rejected (for logs and metrics); the caller only gets a 401 with a code. */
  onReject?: (reason: { code: string; message: string }) => void;
  /** Observes the journal codec (data key generation and unwraps). */
  onCodecEvent?: (event: { type: string }) => void;
}

/**
 * Builds the function's handler: Restate's Lambda endpoint for {@link profiles}, journal values
 * encrypted with KMS data keys, and every request's identity checked before the SDK sees it.
 *
 * @example
 * ```ts
 * export const handler = createHandler({ identityKeys: ["publickeyv1_…"], kmsKeyArn: "arn:aws:kms:…:key/…" });
 * ```
 */
export function createHandler(options: CreateHandlerOptions): LambdaHandler {
  let codec: Promise<JournalCodec> | undefined;
  const endpoint = createEndpointHandler({
    services: [profiles],
    // One codec per Lambda execution environment: the first data key is generated at cold start and
    // kept in memory, so encoding never waits for KMS.
    journalValueCodecProvider: () => {
      codec ??= createJournalCodec({
        keyProvider: kmsKeyProvider({
          keyId: options.kmsKeyArn,
          encryptionContext: { ...JOURNAL_ENCRYPTION_CONTEXT },
          ...(options.kmsClient ? { client: options.kmsClient } : {}),
        }),
        ...(options.onCodecEvent ? { onEvent: options.onCodecEvent } : {}),
      }).catch((error: unknown) => {
        // Let the next invocation try again instead of caching the failure for the container's life.
        codec = undefined;
        throw error;
      });
      return codec;
    },
  });
  return withIdentity(endpoint, {
    keys: options.identityKeys,
    ...(options.onReject ? { onReject: options.onReject } : {}),
  }) as LambdaHandler;
}
