import { createHash } from "node:crypto";
import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";

export interface RecordedKmsCall {
  readonly operation: string;
  readonly keyId: string | undefined;
  readonly encryptionContext: Record<string, string> | undefined;
  /** For `Decrypt`: a short digest of the wrapped data key, to tell distinct data keys apart. */
  readonly wrappedKey?: string;
}

/**
 * A KMS client that records every command it sends (operation, key, encryption context), so a test
 * can compare the codec's KMS traffic with its design and evaluate each call against the key policy.
 */
export function recordingKmsClient(config: KMSClientConfig): {
  client: KMSClient;
  calls: RecordedKmsCall[];
} {
  const client = new KMSClient(config);
  const calls: RecordedKmsCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        KeyId?: string;
        EncryptionContext?: Record<string, string>;
        CiphertextBlob?: Uint8Array;
      };
      calls.push({
        operation: context.commandName ?? "unknown",
        keyId: input.KeyId,
        encryptionContext: input.EncryptionContext,
        ...(input.CiphertextBlob
          ? { wrappedKey: createHash("sha256").update(input.CiphertextBlob).digest("hex").slice(0, 12) }
          : {}),
      });
      return next(args);
    },
    { step: "initialize", name: "recordKmsCalls" },
  );
  return { client, calls };
}
