import { aesGcm, type CryptoBackend } from "./aes-gcm.js";
import { toHex } from "./bytes.js";
import { type ProviderKind, parseEnvelope } from "./envelope.js";
import { JournalEncryptionError } from "./errors.js";
import type { KeyProvider } from "./key-provider.js";

/** The public facts of an envelope: no secrets, no key access needed. */
export interface EnvelopeInfo {
  readonly version: number;
  readonly provider: ProviderKind;
  readonly keyId: string;
  readonly wrappedKeyLength: number;
  readonly nonceHex: string;
  readonly headerLength: number;
  /** Equals the plaintext length (AES-GCM does not pad). */
  readonly ciphertextLength: number;
  readonly totalLength: number;
}

/**
 * Reads an envelope's header. Throws `not_encrypted`, `invalid_envelope` or `unsupported_version`.
 *
 * @example
 * ```ts
 * const info = inspectEnvelope(bytes);
 * console.log(info.provider, info.keyId, info.ciphertextLength);
 * ```
 */
export function inspectEnvelope(value: Uint8Array): EnvelopeInfo {
  const envelope = parseEnvelope(value);
  return {
    version: envelope.version,
    provider: envelope.provider,
    keyId: envelope.keyId,
    wrappedKeyLength: envelope.wrappedKey.length,
    nonceHex: toHex(envelope.nonce),
    headerLength: envelope.headerLength,
    ciphertextLength: envelope.ciphertextLength,
    totalLength: value.length,
  };
}

/**
 * Decrypts one envelope with a key provider, without creating a codec (so no data key is
 * generated: an operator needs only unwrap rights, e.g. `kms:Decrypt`).
 *
 * @example
 * ```ts
 * const plaintext = await openEnvelope(bytes, localKeyProvider({ keys, activeKeyId: "k1" }));
 * ```
 */
export async function openEnvelope(
  value: Uint8Array,
  keyProvider: KeyProvider,
  options: { backend?: CryptoBackend } = {},
): Promise<Uint8Array> {
  const envelope = parseEnvelope(value);
  if (envelope.provider !== keyProvider.kind) {
    throw new JournalEncryptionError(
      "wrong_provider",
      `value was sealed with a "${envelope.provider}" key provider, not "${keyProvider.kind}"`,
    );
  }
  const key = await keyProvider.unwrapDataKey({
    keyId: envelope.keyId,
    wrappedKey: new Uint8Array(envelope.wrappedKey),
  });
  try {
    return aesGcm(options.backend).open(key, envelope.nonce, envelope.aad, envelope.sealed);
  } finally {
    key.fill(0);
  }
}
