/**
 * The binary envelope (format version 1), documented byte by byte in FORMAT.md.
 * Functions over Uint8Array; nothing is stored (sealing draws a fresh random nonce).
 */
import { AES_KEY_LENGTH, type AesGcm, fillRandom, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from "./aes-gcm.js";
import { utf8Decode, utf8Encode } from "./bytes.js";
import { JournalEncryptionError } from "./errors.js";

/** "\0RJE": a leading NUL never starts JSON or UTF-8 text, so plaintext is told apart cheaply. */
export const ENVELOPE_MAGIC = Uint8Array.of(0x00, 0x52, 0x4a, 0x45);
export const ENVELOPE_VERSION = 1;
export const MAX_KEY_ID_LENGTH = 1024;
export const MAX_WRAPPED_KEY_LENGTH = 4096;

/** Which kind of key provider wrapped the data key. */
export type ProviderKind = "local" | "aws-kms";

const PROVIDER_CODES: Record<ProviderKind, number> = { local: 0x01, "aws-kms": 0x02 };

function providerFromCode(code: number): ProviderKind | undefined {
  if (code === 0x01) return "local";
  if (code === 0x02) return "aws-kms";
  return undefined;
}

/** What an envelope says about itself; readable without any key. */
export interface EnvelopeHeader {
  readonly version: number;
  readonly provider: ProviderKind;
  readonly keyId: string;
  readonly wrappedKey: Uint8Array;
  readonly nonce: Uint8Array;
  /** Bytes before the ciphertext: the GCM associated data. */
  readonly headerLength: number;
  /** Length of the encrypted value (without the 16-byte tag). */
  readonly ciphertextLength: number;
}

export interface ParsedEnvelope extends EnvelopeHeader {
  readonly aad: Uint8Array;
  readonly sealed: Uint8Array;
}

/** True when `bytes` begins with the envelope magic. */
export function hasEnvelopePrefix(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === ENVELOPE_MAGIC[0] &&
    bytes[1] === ENVELOPE_MAGIC[1] &&
    bytes[2] === ENVELOPE_MAGIC[2] &&
    bytes[3] === ENVELOPE_MAGIC[3]
  );
}

/**
 * Builds the per-data-key part of the header (magic … wrapped key). It is the same for every value
 * sealed under one data key, so the codec computes it once per rotation.
 */
export function encodeKeyHeader(provider: ProviderKind, keyId: string, wrappedKey: Uint8Array): Uint8Array {
  const keyIdBytes = utf8Encode(keyId);
  if (keyIdBytes.length < 1 || keyIdBytes.length > MAX_KEY_ID_LENGTH) {
    throw new JournalEncryptionError(
      "invalid_options",
      `key id must be 1..${MAX_KEY_ID_LENGTH} UTF-8 bytes, got ${keyIdBytes.length}`,
    );
  }
  if (wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED_KEY_LENGTH) {
    throw new JournalEncryptionError(
      "invalid_options",
      `wrapped data key must be 1..${MAX_WRAPPED_KEY_LENGTH} bytes, got ${wrappedKey.length}`,
    );
  }
  const out = new Uint8Array(4 + 1 + 1 + 2 + keyIdBytes.length + 2 + wrappedKey.length);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = PROVIDER_CODES[provider];
  out[6] = keyIdBytes.length >>> 8;
  out[7] = keyIdBytes.length & 0xff;
  out.set(keyIdBytes, 8);
  let offset = 8 + keyIdBytes.length;
  out[offset] = wrappedKey.length >>> 8;
  out[offset + 1] = wrappedKey.length & 0xff;
  offset += 2;
  out.set(wrappedKey, offset);
  return out;
}

const SLAB_SIZE = 32 * 1024;
const SLAB_MAX_VALUE = 4 * 1024;
let slab = new ArrayBuffer(0);
let slabOffset = 0;

/**
 * Memory for one envelope. Small envelopes are carved from a shared 32 KiB slab (the technique of
 * Node's Buffer pool): allocating a fresh ArrayBuffer costs more than sealing a 1 KiB value. The
 * slab holds nothing but envelopes this codec produced — ciphertext Restate stores anyway — and
 * fresh slabs start zeroed, so a view's neighbours reveal nothing. Large envelopes get their own buffer.
 */
function allocateEnvelope(length: number): Uint8Array {
  if (length > SLAB_MAX_VALUE) return new Uint8Array(length);
  if (slabOffset + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const view = new Uint8Array(slab, slabOffset, length);
  slabOffset = (slabOffset + length + 7) & ~7; // keep views 8-byte aligned
  return view;
}

/**
 * Seals one value: keyHeader ‖ nonce ‖ AES-256-GCM(dek, nonce, aad = keyHeader ‖ nonce, plaintext) ‖ tag.
 * Without `nonce`, a fresh random one is written straight into the envelope (the normal case; a
 * fixed nonce is for the committed test vectors only).
 */
export function sealEnvelope(
  aes: AesGcm,
  keyHeader: Uint8Array,
  dataKey: Uint8Array,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): Uint8Array {
  if (dataKey.length !== AES_KEY_LENGTH || (nonce !== undefined && nonce.length !== GCM_NONCE_LENGTH)) {
    throw new JournalEncryptionError("invalid_options", "data key must be 32 bytes and nonce 12 bytes");
  }
  const aadLength = keyHeader.length + GCM_NONCE_LENGTH;
  const out = allocateEnvelope(aadLength + plaintext.length + GCM_TAG_LENGTH);
  out.set(keyHeader, 0);
  const nonceView = out.subarray(keyHeader.length, aadLength);
  if (nonce === undefined) fillRandom(nonceView);
  else nonceView.set(nonce);
  aes.seal(dataKey, nonceView, out.subarray(0, aadLength), plaintext, out, aadLength);
  return out;
}

function malformed(detail: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_envelope", `malformed envelope: ${detail}`);
}

/**
 * Parses an envelope without decrypting it. Throws `invalid_envelope` (truncated, bad lengths,
 * unknown provider), `unsupported_version`, or `not_encrypted` when the magic is absent.
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  if (!hasEnvelopePrefix(bytes)) {
    throw new JournalEncryptionError("not_encrypted", "value does not start with the journal envelope prefix");
  }
  if (bytes.length < 8) throw malformed(`expected at least 8 header bytes, got ${bytes.length}`);
  const version = bytes[4] as number;
  if (version !== ENVELOPE_VERSION) {
    throw new JournalEncryptionError("unsupported_version", `unsupported envelope version ${version}`);
  }
  const provider = providerFromCode(bytes[5] as number);
  if (provider === undefined) throw malformed(`unknown provider code ${bytes[5]}`);
  const keyIdLength = ((bytes[6] as number) << 8) | (bytes[7] as number);
  if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID_LENGTH) throw malformed(`key id length ${keyIdLength}`);
  let offset = 8;
  if (bytes.length < offset + keyIdLength + 2) throw malformed("truncated in key id");
  let keyId: string;
  try {
    keyId = utf8Decode(bytes.subarray(offset, offset + keyIdLength));
  } catch {
    throw malformed("key id is not UTF-8");
  }
  offset += keyIdLength;
  const wrappedLength = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  offset += 2;
  if (wrappedLength < 1 || wrappedLength > MAX_WRAPPED_KEY_LENGTH) {
    throw malformed(`wrapped key length ${wrappedLength}`);
  }
  if (bytes.length < offset + wrappedLength + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) {
    throw malformed("truncated before the end of the authentication tag");
  }
  const wrappedKey = bytes.subarray(offset, offset + wrappedLength);
  offset += wrappedLength;
  const nonce = bytes.subarray(offset, offset + GCM_NONCE_LENGTH);
  offset += GCM_NONCE_LENGTH;
  return {
    version,
    provider,
    keyId,
    wrappedKey,
    nonce,
    headerLength: offset,
    ciphertextLength: bytes.length - offset - GCM_TAG_LENGTH,
    aad: bytes.subarray(0, offset),
    sealed: bytes.subarray(offset),
  };
}
