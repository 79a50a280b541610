/**
 * The 7-bit fingerprint a version-2 envelope stores instead of a KMS key ARN.
 *
 * It is a lookup hint, not a security boundary: decoding resolves it against the configured allowed
 * keys and calls KMS `Decrypt` with `KeyId` pinned to each matching key, and KMS itself refuses a
 * blob that was not made under that key. Collisions therefore cost at most one extra `Decrypt`.
 */
import { utf8Encode } from "./bytes.js";

/**
 * The part of a KMS key id that names the key the same way in an ARN and a bare id:
 * `arn:aws:kms:eu-central-1:111122223333:key/1234abcd-…` and `1234abcd-…` both give `1234abcd-…`.
 */
export function canonicalKmsKeyId(keyId: string): string {
  const marker = keyId.lastIndexOf(":key/");
  return keyId.startsWith("arn:") && marker !== -1 ? keyId.slice(marker + 5) : keyId;
}

/** FNV-1a (32-bit) of the canonical key id's UTF-8, folded to 7 bits (0…127). */
export function keyFingerprint(keyId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8Encode(canonicalKmsKeyId(keyId))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash ^ (hash >>> 7) ^ (hash >>> 14) ^ (hash >>> 21) ^ (hash >>> 28)) & 0x7f;
}
