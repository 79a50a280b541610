/**
 * AWS KMS key provider. This is the only module that imports `@aws-sdk/client-kms`, so bundles that
 * use only the core never load the AWS SDK.
 */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { JournalEncryptionError } from "./errors.js";
import type { DataKey, KeyProvider } from "./key-provider.js";

export interface KmsKeyProviderOptions {
  /** Key used for `GenerateDataKey`: key id, key ARN, alias name or alias ARN. */
  keyId: string;
  /** A configured client (region, credentials, endpoint). Default: `new KMSClient({})`. */
  client?: KMSClient;
  /**
   * Sent with every `GenerateDataKey` and `Decrypt`; KMS binds it to the wrapped key, and key
   * policies can require it (`kms:EncryptionContext:purpose`). It is not stored in the envelope:
   * decoders must be configured with the same context. Default `{ purpose: "restate-journal" }`.
   */
  encryptionContext?: Record<string, string>;
  grantTokens?: string[];
  /**
   * Key ARNs or key ids that may unwrap data keys; an envelope naming any other key is refused
   * with `key_not_allowed` before KMS is asked. Default: `keyId` (when it is not an alias) plus
   * the key ARN KMS reports for this provider's own `GenerateDataKey` calls. Aliases are not
   * accepted here because an alias can be re-pointed.
   */
  allowedKeyIds?: string[];
}

export const DEFAULT_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  purpose: "restate-journal",
});

const TRANSIENT_ERROR_NAMES = new Set([
  "ThrottlingException",
  "KMSInternalException",
  "DependencyTimeoutException",
  "LimitExceededException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

function isAlias(id: string): boolean {
  return id.startsWith("alias/") || /^arn:aws[\w-]*:kms:[^:]*:[^:]*:alias\//.test(id);
}

/** Maps an AWS SDK failure to `provider_unavailable` (retry) or `provider_error`; never echoes key material. */
export function classifyKmsError(error: unknown, operation: string): JournalEncryptionError {
  const details = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    message?: string;
  };
  const name = details?.name ?? "Error";
  const status = details?.$metadata?.httpStatusCode;
  const transient =
    TRANSIENT_ERROR_NAMES.has(name) ||
    (details?.code !== undefined && NETWORK_ERROR_CODES.has(details.code)) ||
    details?.$retryable !== undefined ||
    (status !== undefined && status >= 500) ||
    (status === undefined &&
      (name === "Error" || name === "TypeError" || /socket|network|connect/i.test(details?.message ?? "")));
  const code = transient ? "provider_unavailable" : "provider_error";
  return new JournalEncryptionError(code, `KMS ${operation} failed: ${name}${status ? ` (HTTP ${status})` : ""}`, {
    cause: error,
  });
}

function keyMatches(allowed: string, envelopeKeyId: string): boolean {
  if (allowed === envelopeKeyId) return true;
  return !allowed.startsWith("arn:") && envelopeKeyId.startsWith("arn:") && envelopeKeyId.endsWith(`:key/${allowed}`);
}

/**
 * Data keys from AWS KMS: `GenerateDataKey` (AES_256) for each rotation, `Decrypt` pinned to the
 * key named in the envelope, which must be allowed.
 *
 * @example
 * ```ts
 * import { KMSClient } from "@aws-sdk/client-kms";
 * import { createJournalCodec } from "@restate-connect/journal-encryption";
 * import { kmsKeyProvider } from "@restate-connect/journal-encryption/kms";
 *
 * const codec = createJournalCodec({
 *   keyProvider: kmsKeyProvider({
 *     keyId: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
 *     client: new KMSClient({ region: "eu-central-1" }),
 *   }),
 * });
 * ```
 */
export function kmsKeyProvider(options: KmsKeyProviderOptions): KeyProvider {
  if (typeof options?.keyId !== "string" || options.keyId.length === 0) {
    throw new JournalEncryptionError("invalid_options", "kmsKeyProvider: keyId is required");
  }
  for (const id of options.allowedKeyIds ?? []) {
    if (typeof id !== "string" || id.length === 0 || isAlias(id)) {
      throw new JournalEncryptionError(
        "invalid_options",
        `kmsKeyProvider: allowedKeyIds must be key ARNs or key ids (aliases can be re-pointed), got "${id}"`,
      );
    }
  }
  const client = options.client ?? new KMSClient({});
  const encryptionContext = { ...(options.encryptionContext ?? DEFAULT_ENCRYPTION_CONTEXT) };
  const grantTokens = options.grantTokens;
  const allowed = new Set<string>(options.allowedKeyIds ?? (isAlias(options.keyId) ? [] : [options.keyId]));
  const learnGeneratedKeys = options.allowedKeyIds === undefined;

  return {
    kind: "aws-kms",
    async generateDataKey(): Promise<DataKey> {
      let response: { Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array; KeyId?: string };
      try {
        response = await client.send(
          new GenerateDataKeyCommand({
            KeyId: options.keyId,
            KeySpec: "AES_256",
            EncryptionContext: encryptionContext,
            GrantTokens: grantTokens,
          }),
        );
      } catch (error) {
        throw classifyKmsError(error, "GenerateDataKey");
      }
      const { Plaintext, CiphertextBlob, KeyId } = response;
      if (Plaintext?.length !== 32 || !CiphertextBlob || !KeyId) {
        throw new JournalEncryptionError("provider_error", "KMS GenerateDataKey returned an incomplete response");
      }
      if (learnGeneratedKeys) allowed.add(KeyId);
      return { plaintextKey: Plaintext, wrappedKey: CiphertextBlob, keyId: KeyId };
    },
    async unwrapDataKey({ keyId, wrappedKey }): Promise<Uint8Array> {
      if (![...allowed].some((entry) => keyMatches(entry, keyId))) {
        throw new JournalEncryptionError("key_not_allowed", `KMS key "${keyId}" is not in allowedKeyIds`);
      }
      let response: { Plaintext?: Uint8Array; KeyId?: string };
      try {
        response = await client.send(
          new DecryptCommand({
            CiphertextBlob: wrappedKey,
            KeyId: keyId,
            EncryptionContext: encryptionContext,
            GrantTokens: grantTokens,
          }),
        );
      } catch (error) {
        throw classifyKmsError(error, "Decrypt");
      }
      if (response.KeyId !== undefined && response.KeyId !== keyId) {
        throw new JournalEncryptionError("key_not_allowed", "KMS Decrypt used a different key than the envelope names");
      }
      if (response.Plaintext?.length !== 32) {
        throw new JournalEncryptionError("provider_error", "KMS Decrypt returned no 32-byte data key");
      }
      return response.Plaintext;
    },
  };
}
