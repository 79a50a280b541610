import type { ProviderKind } from "./envelope.js";

/** A fresh data encryption key: the plaintext for this process, the wrapped form for the envelope. */
export interface DataKey {
  /** 32 bytes; kept in memory only. */
  readonly plaintextKey: Uint8Array;
  /** The key-encryption key that wrapped it (local key id, or KMS key ARN). */
  readonly keyId: string;
  /** The data key encrypted under `keyId`; stored in every envelope. */
  readonly wrappedKey: Uint8Array;
}

/**
 * Where data keys come from. Implementations: `localKeyProvider` (this package) and
 * `kmsKeyProvider` (`@restate-connect/journal-encryption/kms`).
 *
 * Errors must be `JournalEncryptionError`s: `provider_unavailable` for transient failures (the codec
 * retries them), `unknown_key` / `key_not_allowed` / `authentication_failed` / `provider_error` otherwise.
 */
export interface KeyProvider {
  readonly kind: ProviderKind;
  generateDataKey(): Promise<DataKey>;
  unwrapDataKey(input: { keyId: string; wrappedKey: Uint8Array }): Promise<Uint8Array>;
}
