/**
 * Test-only: writes values the way Restate's reference codec (github restatedev/journal-encryption)
 * does, re-implemented from its documented layout — this package never writes them.
 *
 * length-prefixed: "RTv1\0" ‖ u16 BE blob length ‖ KMS CiphertextBlob ‖ IV(12) ‖ AES-256-GCM ciphertext ‖ tag(16)
 * fixed-blob (older release): "RTv1\0" ‖ CiphertextBlob (184 bytes) ‖ IV(12) ‖ ciphertext ‖ tag(16)
 * No associated data. The reference writer refuses blobs longer than 255 bytes.
 */
import { createCipheriv } from "node:crypto";

const MAGIC = Buffer.from("RTv1\0", "latin1");

export function referenceFrame(
  layout: "length-prefixed" | "fixed-blob",
  blob: Uint8Array,
  dataKey: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  if (layout === "length-prefixed" && blob.length > 255) throw new Error("the reference writer refuses blobs > 255 B");
  if (layout === "fixed-blob" && blob.length !== 184) throw new Error("the fixed layout holds exactly 184 B");
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = layout === "length-prefixed" ? Buffer.of(blob.length >>> 8, blob.length & 0xff) : Buffer.alloc(0);
  return new Uint8Array(Buffer.concat([MAGIC, length, blob, iv, body]));
}
