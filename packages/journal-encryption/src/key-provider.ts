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
 * A wrapped data key whose value does not name its key: a version-2 KMS envelope (which stores a
 * 7-bit fingerprint of the key id) or a value written by Restate's reference codec (which stores
 * nothing). The provider resolves it against the keys it is allowed to use.
 */
export interface UnnamedDataKeyRequest {
  readonly wrappedKey: Uint8Array;
  /** Version-2 envelopes: the fingerprint of the key id; undefined for reference-format values. */
  readonly keyFingerprint: number | undefined;
  /**
   * `"envelope"`: sealed by this package (the provider's encryption context applies);
   * `"reference"`: sealed by the reference codec (made without an encryption context).
   */
  readonly source: "envelope" | "reference";
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
  /**
   * Unwraps a data key whose value does not name its key (see `UnnamedDataKeyRequest`) and says
   * which key it was. Providers without it cannot read version-2 KMS envelopes or reference values.
   */
  unwrapUnnamedDataKey?(request: UnnamedDataKeyRequest): Promise<{ key: Uint8Array; keyId: string }>;
}
