// The fixed DER layouts of Ed25519 keys (RFC 8410). Both are a constant prefix followed by the raw
// 32 bytes, so building or reading them needs no ASN.1 parser.

const ED25519_OID = [0x06, 0x03, 0x2b, 0x65, 0x70];

/** SubjectPublicKeyInfo for Ed25519, followed by the 32-byte public key (44 bytes in all). */
export const SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, ...ED25519_OID, 0x03, 0x21, 0x00);

/** PKCS#8 v1 PrivateKeyInfo for Ed25519, followed by the 32-byte seed (48 bytes in all). */
export const PKCS8_V1_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  ...ED25519_OID,
  0x04,
  0x22,
  0x04,
  0x20,
);

/** `prefix` followed by `raw`. */
export function withPrefix(prefix: Uint8Array, raw: Uint8Array): Uint8Array {
  const der = new Uint8Array(prefix.length + raw.length);
  der.set(prefix);
  der.set(raw, prefix.length);
  return der;
}

export function startsWith(bytes: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
