/**
 * The binary envelope, documented byte by byte in FORMAT.md. Version 1 names its key in full;
 * version 2 is the compact form (a KMS key is named by a 7-bit fingerprint resolved against the
 * allowed keys, so a KMS envelope is no larger than the reference codec's value).
 * Functions over Uint8Array; nothing is stored (sealing draws a fresh random nonce).
 */
import { AES_KEY_LENGTH, type AesGcm, fillRandom, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from "./aes-gcm.js";
import { utf8Decode, utf8Encode } from "./bytes.js";
import { keyFingerprint } from "./envelope-fingerprint.js";
import { JournalEncryptionError } from "./errors.js";

/** "\0RJE": a leading NUL never starts JSON or UTF-8 text, so plaintext is told apart cheaply. */
export const ENVELOPE_MAGIC = Uint8Array.of(0x00, 0x52, 0x4a, 0x45);
/** The envelope versions this package reads; it writes `2` by default, `1` on request. */
export type EnvelopeVersion = 1 | 2;
export const MAX_KEY_ID_LENGTH = 1024;
export const MAX_WRAPPED_KEY_LENGTH = 4096;
/** Version 2 limits: a local key id of at most 127 bytes, a wrapped key of at most 255 bytes. */
export const V2_MAX_KEY_ID_LENGTH = 127;
export const V2_MAX_WRAPPED_KEY_LENGTH = 255;

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
  readonly version: EnvelopeVersion;
  readonly provider: ProviderKind;
  /** The key id as stored: always in version 1, for local keys in version 2; "" for a version-2 KMS envelope. */
  readonly keyId: string;
  /** Version-2 KMS envelopes: the 7-bit fingerprint (0…127) of the KMS key id. */
  readonly keyFingerprint: number | undefined;
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
 * True for values that begin with the magic, or are shorter than it and all of them is its start
 * (`00`, `00 52`, `00 52 4A`): an envelope truncated inside its magic. No JSON begins with a NUL,
 * so these are never plaintext; read as plaintext, cutting a stored envelope to 1–3 bytes would
 * turn ciphertext into a value `allowPlaintext` passes through.
 */
export function claimsEnvelope(bytes: Uint8Array): boolean {
  if (bytes.length >= 4) return hasEnvelopePrefix(bytes);
  if (bytes.length === 0) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== ENVELOPE_MAGIC[i]) return false;
  return true;
}

function invalidOption(message: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_option", message);
}

/** True when a data key under this key id fits a version-2 header (else the codec writes version 1). */
export function fitsVersion2(provider: ProviderKind, keyId: string, wrappedKey: Uint8Array): boolean {
  if (wrappedKey.length < 1 || wrappedKey.length > V2_MAX_WRAPPED_KEY_LENGTH) return false;
  if (provider === "aws-kms") return keyId.length > 0;
  const length = utf8Encode(keyId).length;
  return length >= 1 && length <= V2_MAX_KEY_ID_LENGTH;
}

function encodeV1KeyHeader(provider: ProviderKind, keyId: string, wrappedKey: Uint8Array): Uint8Array {
  const keyIdBytes = utf8Encode(keyId);
  if (keyIdBytes.length < 1 || keyIdBytes.length > MAX_KEY_ID_LENGTH) {
    throw invalidOption(`key id must be 1..${MAX_KEY_ID_LENGTH} UTF-8 bytes, got ${keyIdBytes.length}`);
  }
  if (wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED_KEY_LENGTH) {
    throw invalidOption(`wrapped data key must be 1..${MAX_WRAPPED_KEY_LENGTH} bytes, got ${wrappedKey.length}`);
  }
  const out = new Uint8Array(4 + 1 + 1 + 2 + keyIdBytes.length + 2 + wrappedKey.length);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = 1;
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

function encodeV2KeyHeader(provider: ProviderKind, keyId: string, wrappedKey: Uint8Array): Uint8Array {
  if (!fitsVersion2(provider, keyId, wrappedKey)) {
    throw invalidOption(
      `version 2 needs a wrapped key of 1..${V2_MAX_WRAPPED_KEY_LENGTH} bytes (got ${wrappedKey.length}) and a local key id of 1..${V2_MAX_KEY_ID_LENGTH} UTF-8 bytes`,
    );
  }
  const keyIdBytes = provider === "local" ? utf8Encode(keyId) : new Uint8Array(0);
  const out = new Uint8Array(4 + 1 + 1 + keyIdBytes.length + 1 + wrappedKey.length);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = 2;
  out[5] = provider === "local" ? keyIdBytes.length : 0x80 | keyFingerprint(keyId);
  out.set(keyIdBytes, 6);
  out[6 + keyIdBytes.length] = wrappedKey.length;
  out.set(wrappedKey, 7 + keyIdBytes.length);
  return out;
}

/**
 * Builds the per-data-key part of the header (magic … wrapped key). It is the same for every value
 * sealed under one data key, so the codec computes it once per rotation.
 */
export function encodeKeyHeader(
  provider: ProviderKind,
  keyId: string,
  wrappedKey: Uint8Array,
  version: EnvelopeVersion = 1,
): Uint8Array {
  return version === 2
    ? encodeV2KeyHeader(provider, keyId, wrappedKey)
    : encodeV1KeyHeader(provider, keyId, wrappedKey);
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
    throw invalidOption("data key must be 32 bytes and nonce 12 bytes");
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

function decodeKeyId(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes);
  } catch {
    throw malformed("key id is not UTF-8");
  }
}

function finish(
  bytes: Uint8Array,
  offset: number,
  head: Pick<EnvelopeHeader, "version" | "provider" | "keyId" | "keyFingerprint">,
  wrappedLength: number,
): ParsedEnvelope {
  if (bytes.length < offset + wrappedLength + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) {
    throw malformed("truncated before the end of the authentication tag");
  }
  const wrappedKey = bytes.subarray(offset, offset + wrappedLength);
  const nonceStart = offset + wrappedLength;
  const headerLength = nonceStart + GCM_NONCE_LENGTH;
  return {
    ...head,
    wrappedKey,
    nonce: bytes.subarray(nonceStart, headerLength),
    headerLength,
    ciphertextLength: bytes.length - headerLength - GCM_TAG_LENGTH,
    aad: bytes.subarray(0, headerLength),
    sealed: bytes.subarray(headerLength),
  };
}

function parseV1(bytes: Uint8Array): ParsedEnvelope {
  if (bytes.length < 8) throw malformed(`expected at least 8 header bytes, got ${bytes.length}`);
  const provider = providerFromCode(bytes[5] as number);
  if (provider === undefined) throw malformed(`unknown provider code ${bytes[5]}`);
  const keyIdLength = ((bytes[6] as number) << 8) | (bytes[7] as number);
  if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID_LENGTH) throw malformed(`key id length ${keyIdLength}`);
  let offset = 8;
  if (bytes.length < offset + keyIdLength + 2) throw malformed("truncated in key id");
  const keyId = decodeKeyId(bytes.subarray(offset, offset + keyIdLength));
  offset += keyIdLength;
  const wrappedLength = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  offset += 2;
  if (wrappedLength < 1 || wrappedLength > MAX_WRAPPED_KEY_LENGTH) {
    throw malformed(`wrapped key length ${wrappedLength}`);
  }
  return finish(bytes, offset, { version: 1, provider, keyId, keyFingerprint: undefined }, wrappedLength);
}

function parseV2(bytes: Uint8Array): ParsedEnvelope {
  if (bytes.length < 7) throw malformed(`expected at least 7 header bytes, got ${bytes.length}`);
  const keyByte = bytes[5] as number;
  let offset = 6;
  let head: Pick<EnvelopeHeader, "version" | "provider" | "keyId" | "keyFingerprint">;
  if ((keyByte & 0x80) !== 0) {
    head = { version: 2, provider: "aws-kms", keyId: "", keyFingerprint: keyByte & 0x7f };
  } else {
    const keyIdLength = keyByte;
    if (keyIdLength < 1) throw malformed("key id length 0");
    if (bytes.length < offset + keyIdLength + 1) throw malformed("truncated in key id");
    const keyId = decodeKeyId(bytes.subarray(offset, offset + keyIdLength));
    offset += keyIdLength;
    head = { version: 2, provider: "local", keyId, keyFingerprint: undefined };
  }
  const wrappedLength = bytes[offset] as number;
  offset += 1;
  if (wrappedLength < 1) throw malformed("wrapped key length 0");
  return finish(bytes, offset, head, wrappedLength);
}

/**
 * Parses an envelope without decrypting it. Throws `invalid_envelope` (truncated, bad lengths,
 * unknown provider), `unsupported_version`, or `not_encrypted` when the magic is absent.
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  if (!hasEnvelopePrefix(bytes)) {
    if (claimsEnvelope(bytes)) throw malformed(`truncated inside the magic (${bytes.length} bytes)`);
    throw new JournalEncryptionError("not_encrypted", "value does not start with the journal envelope prefix");
  }
  if (bytes.length < 5) throw malformed("truncated before the version byte");
  const version = bytes[4] as number;
  if (version === 1) return parseV1(bytes);
  if (version === 2) return parseV2(bytes);
  throw new JournalEncryptionError("unsupported_version", `unsupported envelope version ${version}`);
}
