/**
 * AWS KMS key provider. This is the only module that imports `@aws-sdk/client-kms`, so bundles that
 * use only the core never load the AWS SDK.
 */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { quoteUntrusted } from "./bytes.js";
import { canonicalKmsKeyId, keyFingerprint } from "./envelope-fingerprint.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import type { DataKey, KeyProvider } from "./key-provider.js";
import { classifyKmsError } from "./kms-errors.js";

export interface KmsKeyProviderOptions {
  /** Key used for `GenerateDataKey`: key id, key ARN, alias name or alias ARN. */
  keyId: string;
  /** A configured client (region, credentials, endpoint). Default: `new KMSClient({})`. */
  client?: KMSClient;
  /**
   * Sent with every `GenerateDataKey` and `Decrypt`; KMS binds it to the wrapped key, and key
   * policies can require it (`kms:EncryptionContext:purpose`). It is not stored in the envelope:
   * decoders must be configured with the same context. Default `{ purpose: "restate-journal" }`.
   * Values of Restate's reference codec are decrypted without it, as they were made.
   */
  encryptionContext?: Record<string, string>;
  grantTokens?: string[];
  /**
   * Key ARNs or key ids that may unwrap data keys. An envelope naming any other key is refused with
   * `key_not_allowed` before KMS is asked; a version-2 envelope (which carries a 7-bit fingerprint
   * of its key) and a value of Restate's reference codec (which carries nothing) are unwrapped with
   * `Decrypt` pinned to each allowed key in turn, so KMS itself refuses a blob made under any other
   * key. Default: `keyId` (when it is not an alias) plus the key ARN KMS reports for this provider's
   * own `GenerateDataKey` calls. Aliases are not accepted here because an alias can be re-pointed.
   * When given, `GenerateDataKey` must also report one of these keys (else `key_not_allowed`), so a
   * re-pointed alias in `keyId` cannot move new values to another key.
   */
  allowedKeyIds?: string[];
}

export const DEFAULT_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  purpose: "restate-journal",
});

function isAlias(id: string): boolean {
  return id.startsWith("alias/") || /^arn:aws[\w-]*:kms:[^:]*:[^:]*:alias\//.test(id);
}

function isWrongKey(error: JournalEncryptionError): boolean {
  const name = (error.cause as { name?: string } | undefined)?.name;
  return name === "IncorrectKeyException" || name === "AccessDeniedException";
}

function keyMatches(allowed: string, envelopeKeyId: string): boolean {
  if (allowed === envelopeKeyId) return true;
  return !allowed.startsWith("arn:") && envelopeKeyId.startsWith("arn:") && envelopeKeyId.endsWith(`:key/${allowed}`);
}

/**
 * Data keys from AWS KMS: `GenerateDataKey` (AES_256) for each rotation; `Decrypt` always pinned
 * (`KeyId`) to an allowed key — the one a version-1 envelope names, or each allowed key matching a
 * version-2 envelope's fingerprint (reference-format values: each allowed key).
 *
 * @example
 * ```ts
 * import { KMSClient } from "@aws-sdk/client-kms";
 * import { createJournalCodec } from "@restate-connect/journal-encryption";
 * import { kmsKeyProvider } from "@restate-connect/journal-encryption/kms";
 *
 * const codec = await createJournalCodec({
 *   keyProvider: kmsKeyProvider({
 *     keyId: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
 *     client: new KMSClient({ region: "eu-central-1" }),
 *   }),
 * });
 * ```
 */
export function kmsKeyProvider(options: KmsKeyProviderOptions): KeyProvider {
  if (typeof options?.keyId !== "string" || options.keyId.length === 0) {
    throw new JournalEncryptionError("invalid_option", "kmsKeyProvider: keyId is required");
  }
  for (const id of options.allowedKeyIds ?? []) {
    if (typeof id !== "string" || id.length === 0 || isAlias(id)) {
      throw new JournalEncryptionError(
        "invalid_option",
        `kmsKeyProvider: allowedKeyIds must be key ARNs or key ids (aliases can be re-pointed), got ${typeof id === "string" ? quoteUntrusted(id) : typeof id}`,
      );
    }
  }
  const client = options.client ?? new KMSClient({});
  const encryptionContext = { ...(options.encryptionContext ?? DEFAULT_ENCRYPTION_CONTEXT) };
  const grantTokens = options.grantTokens;
  const allowed = new Set<string>(options.allowedKeyIds ?? (isAlias(options.keyId) ? [] : [options.keyId]));
  const learnGeneratedKeys = options.allowedKeyIds === undefined;
  // The allowed key that last unwrapped an unnamed data key is asked first next time: values of one
  // writer come in runs, so a reader allowing several keys usually needs one Decrypt, not one per key.
  let lastAccepted: string | undefined;

  async function decrypt(
    keyId: string,
    wrappedKey: Uint8Array,
    context: Record<string, string> | undefined,
  ): Promise<Uint8Array> {
    let response: { Plaintext?: Uint8Array; KeyId?: string };
    try {
      response = await client.send(
        new DecryptCommand({
          CiphertextBlob: wrappedKey,
          KeyId: keyId,
          EncryptionContext: context,
          GrantTokens: grantTokens,
        }),
      );
    } catch (error) {
      throw classifyKmsError(error, "Decrypt");
    }
    if (response.KeyId !== undefined && !keyMatches(keyId, response.KeyId)) {
      throw new JournalEncryptionError(
        "key_not_allowed",
        "KMS Decrypt used a different key than the one it was pinned to",
      );
    }
    if (response.Plaintext?.length !== 32) {
      throw new JournalEncryptionError("provider_error", "KMS Decrypt returned no 32-byte data key");
    }
    return response.Plaintext;
  }

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
      if (learnGeneratedKeys) {
        allowed.add(KeyId);
      } else if (![...allowed].some((entry) => keyMatches(entry, KeyId))) {
        // E.g. `keyId` is an alias someone re-pointed: sealing under that key would hand every new
        // value to a key this provider refuses to unwrap (and its owner could read them).
        Plaintext.fill(0);
        throw new JournalEncryptionError(
          "key_not_allowed",
          `KMS GenerateDataKey used key ${quoteUntrusted(KeyId)}, which is not in allowedKeyIds; refusing to seal values under it`,
        );
      }
      return { plaintextKey: Plaintext, wrappedKey: CiphertextBlob, keyId: KeyId };
    },
    async unwrapDataKey({ keyId, wrappedKey }): Promise<Uint8Array> {
      if (![...allowed].some((entry) => keyMatches(entry, keyId))) {
        throw new JournalEncryptionError("key_not_allowed", `KMS key ${quoteUntrusted(keyId)} is not in allowedKeyIds`);
      }
      return decrypt(keyId, wrappedKey, encryptionContext);
    },
    async unwrapUnnamedDataKey({ wrappedKey, keyFingerprint: fingerprint, source }) {
      // Decrypt is pinned to each allowed key in turn (KMS refuses a blob made under another key),
      // so a value can never make this provider use a key outside allowedKeyIds.
      const seen = new Set<string>();
      const candidates = [...allowed].filter((entry) => {
        const canonical = canonicalKmsKeyId(entry);
        if (seen.has(canonical) || (fingerprint !== undefined && keyFingerprint(entry) !== fingerprint)) return false;
        seen.add(canonical);
        return true;
      });
      if (candidates.length === 0) {
        throw new JournalEncryptionError(
          "key_not_allowed",
          fingerprint === undefined
            ? "no KMS key is allowed (allowedKeyIds is empty and no data key was generated yet)"
            : `no allowed KMS key has fingerprint ${fingerprint}`,
        );
      }
      const preferred = candidates.indexOf(lastAccepted as string);
      if (preferred > 0) candidates.unshift(...candidates.splice(preferred, 1));
      // The reference codec sends no encryption context; our own envelopes use the provider's.
      const context = source === "reference" ? undefined : encryptionContext;
      const refusals: JournalEncryptionError[] = [];
      for (const candidate of candidates) {
        try {
          const key = await decrypt(candidate, wrappedKey, context);
          lastAccepted = candidate;
          return { key, keyId: candidate };
        } catch (error) {
          if (!isJournalEncryptionError(error) || error.code === "provider_unavailable") throw error;
          refusals.push(error);
        }
      }
      // KMS answers IncorrectKeyException (moto: AccessDeniedException) when the blob was made under
      // another key than the one Decrypt is pinned to.
      const other = refusals.find((refusal) => !isWrongKey(refusal));
      if (other !== undefined) throw other;
      throw new JournalEncryptionError(
        "key_not_allowed",
        `the data key was not made under ${candidates.length === 1 ? "the allowed KMS key" : `any of the ${candidates.length} allowed KMS keys`} (or kms:Decrypt is denied on ${candidates.length === 1 ? "it" : "them"})`,
        { cause: refusals[0] },
      );
    },
  };
}
