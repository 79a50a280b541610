import { canonicalKmsKeyId, keyFingerprint } from "../envelope-fingerprint.js";
import type { EnvelopeInfo } from "../inspect.js";

/** Whether `keyId` (a local id, or a KMS key ARN or key id) is the key an envelope names. */
export function namesKey(info: EnvelopeInfo, keyId: string): "yes" | "no" | "maybe" {
  if (info.provider === "local") return info.keyId === keyId ? "yes" : "no";
  if (info.keyId !== undefined) return canonicalKmsKeyId(info.keyId) === canonicalKmsKeyId(keyId) ? "yes" : "no";
  // A version-2 KMS envelope keeps only a 7-bit fingerprint: a match is likely, not certain.
  return info.keyFingerprint === keyFingerprint(keyId) ? "maybe" : "no";
}

/** `<provider>:<key>` for counting; a version-2 KMS envelope by fingerprint unless a known key has it. */
export function keyLabel(info: EnvelopeInfo, knownKeys: readonly string[]): string {
  if (info.keyId !== undefined) return `${info.provider}:${info.keyId}`;
  const matches = knownKeys.filter((key) => namesKey(info, key) !== "no");
  return matches.length === 1
    ? `${info.provider}:${matches[0]} (by fingerprint)`
    : `${info.provider}:fingerprint ${info.keyFingerprint}`;
}
