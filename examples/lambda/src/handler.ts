import type { KMSClient } from "@aws-sdk/client-kms";
import { withIdentity } from "@restate-connect/identity/lambda";
import {
  createJournalCodec,
  type JournalCodecEvent,
  type LazyJournalCodec,
  lazyJournalCodec,
  type RetryPolicy,
} from "@restate-connect/journal-encryption";
import { kmsKeyProvider } from "@restate-connect/journal-encryption/kms";
import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
import type { HandlerConfig } from "./config.ts";
import { JOURNAL_ENCRYPTION_CONTEXT } from "./encryption-context.ts";
import { JournalKeyUnavailableError } from "./errors.ts";
import { profiles } from "./service.ts";

/** A Lambda handler as the Lambda runtime calls it. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface CreateHandlerOptions extends HandlerConfig {
  /** KMS client to use; default `new KMSClient({})` (region and credentials from the Lambda environment). */
  kmsClient?: KMSClient;
  /** Sees why a request was rejected (for logs and metrics); the caller only gets a 401 with a code. */
  onReject?: (reason: { code: string; message: string }) => void;
  /** Observes the journal codec (data key generation and unwraps). */
  onCodecEvent?: (event: JournalCodecEvent) => void;
  /**
   * How long an invocation waits for the first data key of a new execution environment before its
   * attempt fails with `JournalKeyUnavailableError` (Restate retries it). The key keeps being
   * requested meanwhile. Default 10 000 ms, well inside the function's 60 s timeout.
   */
  firstDataKeyTimeoutMs?: number;
  /**
   * Retries of KMS calls inside the codec. Default: the codec's, which waits until KMS answers,
   * because the SDK turns a failed decode of an invocation's input into a terminal error; an attempt
   * stuck on KMS ends at the function timeout instead, which Restate retries.
   */
  kmsRetry?: RetryPolicy;
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
  const codec = lazyJournalCodec(() =>
    createJournalCodec({
      keyProvider: kmsKeyProvider({
        keyId: options.kmsKeyArn,
        ...(options.allowedKeyIds ? { allowedKeyIds: [...options.allowedKeyIds] } : {}),
        encryptionContext: { ...JOURNAL_ENCRYPTION_CONTEXT },
        ...(options.kmsClient ? { client: options.kmsClient } : {}),
      }),
      ...(options.onCodecEvent ? { onEvent: options.onCodecEvent } : {}),
      ...(options.kmsRetry ? { decodeRetry: options.kmsRetry } : {}),
    }),
  );
  const firstKeyTimeoutMs = options.firstDataKeyTimeoutMs ?? 10_000;
  // The SDK calls the provider once, when it builds the endpoint, and keeps the promise: handing it
  // the real codec's promise would make a KMS hiccup at cold start fail the container for its whole life.
  const endpoint = createEndpointHandler({
    services: [profiles],
    journalValueCodecProvider: codec.provider,
  }) as LambdaHandler;

  const handler: LambdaHandler = async (event, context) => {
    // Invocations need the first data key; discovery does not touch KMS. A failure here fails this
    // attempt only (Restate retries it); the next invocation asks KMS again.
    if (isInvocation(event)) await firstDataKey(codec, firstKeyTimeoutMs);
    return endpoint(event, context);
  };
  // The identity check runs first: unsigned requests never reach the SDK, nor KMS.
  return withIdentity(handler as (event: { path: string }, context: unknown) => Promise<unknown>, {
    keys: options.identityKeys,
    ...(options.onReject ? { onReject: options.onReject } : {}),
  }) as LambdaHandler;
}

function isInvocation(event: unknown): boolean {
  const path = (event as { path?: unknown } | null)?.path;
  return typeof path === "string" && path.includes("/invoke/");
}

/** Waits for the codec's first data key; a late or failed one fails this attempt only. */
async function firstDataKey(codec: LazyJournalCodec, timeoutMs: number): Promise<void> {
  try {
    await codec.ready(timeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unknown failure";
    throw new JournalKeyUnavailableError(`the first journal data key is not available: ${reason}`, { cause: error });
  }
}
