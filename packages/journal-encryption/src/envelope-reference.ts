/**
 * Values written by Restate's reference codec (github restatedev/journal-encryption), read only —
 * this package never writes them. Two layouts share the magic `RTv1\0` (see FORMAT.md):
 *
 * - length-prefixed: magic(5) ‖ u16 BE blob length ‖ KMS CiphertextBlob ‖ IV(12) ‖ ciphertext ‖ tag(16)
 * - fixed-blob (an older release): magic(5) ‖ CiphertextBlob(184) ‖ IV(12) ‖ ciphertext ‖ tag(16)
 *
 * AES-256-GCM without associated data; the data key is a KMS `GenerateDataKey` (AES_256) key made
 * without an encryption context. Functions over Uint8Array; nothing is stored.
 */
import { GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from "./aes-gcm.js";
import { JournalEncryptionError } from "./errors.js";

/** `"RTv1\0"`. */
export const REFERENCE_MAGIC = Uint8Array.of(0x52, 0x54, 0x76, 0x31, 0x00);
/** The blob length the older fixed layout assumed (AWS KMS AES_256 data keys). */
export const REFERENCE_FIXED_BLOB_LENGTH = 184;

/** Which of the reference codec's two layouts a value uses. */
export type ReferenceLayout = "length-prefixed" | "fixed-blob";

/** A parsed reference-format value: nothing here is secret. */
export interface ReferenceEnvelope {
  readonly layout: ReferenceLayout;
  /** The KMS `CiphertextBlob` of the data key. */
  readonly wrappedKey: Uint8Array;
  readonly iv: Uint8Array;
  /** ciphertext ‖ 16-byte tag. */
  readonly sealed: Uint8Array;
  /** Bytes before the ciphertext. */
  readonly headerLength: number;
  /** Length of the encrypted value (without the tag). */
  readonly ciphertextLength: number;
}

/** True when `bytes` begins with `RTv1\0`. */
export function hasReferencePrefix(bytes: Uint8Array): boolean {
  if (bytes.length < REFERENCE_MAGIC.length) return false;
  for (let i = 0; i < REFERENCE_MAGIC.length; i++) if (bytes[i] !== REFERENCE_MAGIC[i]) return false;
  return true;
}

/**
 * True for values that begin with `RTv1\0`, or are shorter and all of them is its start (`R` …
 * `RTv1`): a reference value cut inside its magic, which no JSON value resembles — never plaintext.
 */
export function claimsReference(bytes: Uint8Array): boolean {
  if (bytes.length >= REFERENCE_MAGIC.length) return hasReferencePrefix(bytes);
  if (bytes.length === 0) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== REFERENCE_MAGIC[i]) return false;
  return true;
}

function malformed(detail: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_envelope", `malformed reference-format value: ${detail}`);
}

/**
 * Tells the layouts apart by the byte after the magic. The reference writer refuses blobs longer
 * than 255 bytes, so in the length-prefixed layout it is the high byte of the length, always 0.
 * In the fixed layout it is the first byte of a KMS CiphertextBlob, which is never 0 (AWS blobs
 * begin with a version byte 0x01; moto's with the ASCII key id).
 */
export function referenceLayoutOf(bytes: Uint8Array): ReferenceLayout {
  return bytes[REFERENCE_MAGIC.length] === 0x00 ? "length-prefixed" : "fixed-blob";
}

/**
 * Parses a reference-format value without decrypting it. Throws `not_encrypted` when the magic is
 * absent and `invalid_envelope` when the value is truncated or its lengths are impossible.
 */
export function parseReferenceEnvelope(bytes: Uint8Array): ReferenceEnvelope {
  if (!hasReferencePrefix(bytes)) {
    if (claimsReference(bytes)) throw malformed(`truncated inside the magic (${bytes.length} bytes)`);
    throw new JournalEncryptionError("not_encrypted", "value does not start with the reference codec's prefix");
  }
  const start = REFERENCE_MAGIC.length;
  if (bytes.length <= start) throw malformed("nothing after the prefix");
  const layout = referenceLayoutOf(bytes);
  let blobStart: number;
  let blobLength: number;
  if (layout === "length-prefixed") {
    if (bytes.length < start + 2) throw malformed("truncated in the blob length");
    blobLength = ((bytes[start] as number) << 8) | (bytes[start + 1] as number);
    if (blobLength === 0) throw malformed("blob length 0");
    blobStart = start + 2;
  } else {
    blobLength = REFERENCE_FIXED_BLOB_LENGTH;
    blobStart = start;
  }
  const headerLength = blobStart + blobLength + GCM_NONCE_LENGTH;
  if (bytes.length < headerLength + GCM_TAG_LENGTH) {
    throw malformed(`${layout} layout: truncated before the end of the authentication tag`);
  }
  return {
    layout,
    wrappedKey: bytes.subarray(blobStart, blobStart + blobLength),
    iv: bytes.subarray(blobStart + blobLength, headerLength),
    sealed: bytes.subarray(headerLength),
    headerLength,
    ciphertextLength: bytes.length - headerLength - GCM_TAG_LENGTH,
  };
}
