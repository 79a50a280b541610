import { AES_KEY_LENGTH, type AesGcm, aesGcm, GCM_NONCE_LENGTH, GCM_TAG_LENGTH, randomBytes } from "./aes-gcm.js";
import { concatBytes, parseKey, quoteUntrusted, toBase64, utf8Encode } from "./bytes.js";
import { JournalEncryptionError } from "./errors.js";
import type { DataKey, KeyProvider } from "./key-provider.js";

export interface LocalKeyProviderOptions {
  /** Key-encryption keys by id: 32 bytes each, raw or base64. Old ids stay here for decoding. */
  keys: Record<string, Uint8Array | string>;
  /** The id whose key wraps new data keys. */
  activeKeyId: string;
}

const WRAP_CONTEXT = "restate-journal-encryption/local-wrap/v1:";

/** The associated data that binds a wrapped data key to the id of the key that wrapped it. */
function wrapAad(keyId: string): Uint8Array {
  return utf8Encode(WRAP_CONTEXT + keyId);
}

/**
 * Wraps `dataKey` under `kek`: nonce(12) ‖ AES-256-GCM(kek, nonce, aad = context ‖ keyId, dataKey) ‖ tag(16).
 * Deterministic given the nonce; exported for the committed test vectors.
 */
export function wrapLocalDataKey(
  aes: AesGcm,
  kek: Uint8Array,
  keyId: string,
  dataKey: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(GCM_NONCE_LENGTH + dataKey.length + GCM_TAG_LENGTH);
  out.set(nonce, 0);
  aes.seal(kek, nonce, wrapAad(keyId), dataKey, out, GCM_NONCE_LENGTH);
  return out;
}

/**
 * A key provider without AWS: for development, tests and demos. Each data key is wrapped with
 * AES-256-GCM under the active local key. Rotate by adding a new id and switching `activeKeyId`;
 * keep old ids so older values still decode.
 *
 * @example
 * ```ts
 * const keyProvider = localKeyProvider({
 *   keys: { "2026-01": process.env.JOURNAL_KEY_2026_01!, "2026-06": process.env.JOURNAL_KEY_2026_06! },
 *   activeKeyId: "2026-06",
 * });
 * const codec = await createJournalCodec({ keyProvider });
 * ```
 */
export function localKeyProvider(options: LocalKeyProviderOptions): KeyProvider {
  const keys = new Map<string, Uint8Array>();
  if (typeof options?.keys !== "object" || options.keys === null) {
    throw new JournalEncryptionError("invalid_option", "localKeyProvider: `keys` must be an object of id → key");
  }
  for (const [id, key] of Object.entries(options.keys)) {
    if (id.length === 0)
      throw new JournalEncryptionError("invalid_option", "localKeyProvider: key ids must be non-empty");
    keys.set(id, parseKey(id, key));
  }
  const activeKey = keys.get(options.activeKeyId);
  if (activeKey === undefined) {
    throw new JournalEncryptionError(
      "invalid_option",
      `localKeyProvider: activeKeyId "${options.activeKeyId}" is not among the keys (${[...keys.keys()].join(", ")})`,
    );
  }
  const aes = aesGcm();
  const activeKeyId = options.activeKeyId;
  return {
    kind: "local",
    async generateDataKey(): Promise<DataKey> {
      const plaintextKey = randomBytes(AES_KEY_LENGTH);
      const wrappedKey = wrapLocalDataKey(aes, activeKey, activeKeyId, plaintextKey, randomBytes(GCM_NONCE_LENGTH));
      return { plaintextKey, keyId: activeKeyId, wrappedKey };
    },
    async unwrapDataKey({ keyId, wrappedKey }): Promise<Uint8Array> {
      const kek = keys.get(keyId);
      if (kek === undefined) {
        throw new JournalEncryptionError("unknown_key", `local key ${quoteUntrusted(keyId)} is not configured`);
      }
      if (wrappedKey.length !== GCM_NONCE_LENGTH + AES_KEY_LENGTH + GCM_TAG_LENGTH) {
        throw new JournalEncryptionError(
          "invalid_envelope",
          `wrapped local data key must be 60 bytes, got ${wrappedKey.length}`,
        );
      }
      return aes.open(
        kek,
        wrappedKey.subarray(0, GCM_NONCE_LENGTH),
        wrapAad(keyId),
        wrappedKey.subarray(GCM_NONCE_LENGTH),
      );
    },
  };
}

/**
 * A new random 32-byte key as base64, suitable for `localKeyProvider({ keys })`.
 *
 * @example
 * ```ts
 * const key = generateLocalKey(); // store it in your secret manager
 * ```
 */
export function generateLocalKey(): string {
  return toBase64(concatBytes(randomBytes(AES_KEY_LENGTH)));
}
