import { aesGcm, type CryptoImplementation } from "./aes-gcm.js";
import { toHex } from "./bytes.js";
import { claimsEnvelope, type EnvelopeVersion, type ProviderKind, parseEnvelope } from "./envelope.js";
import {
  claimsReference,
  hasReferencePrefix,
  parseReferenceEnvelope,
  type ReferenceLayout,
} from "./envelope-reference.js";
import { unwrapFor } from "./envelope-unwrap.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import type { KeyProvider } from "./key-provider.js";

/** An envelope written by this package (version 1 or 2). No secrets; no key access needed. */
export interface EnvelopeInfo {
  readonly format: "envelope";
  readonly version: EnvelopeVersion;
  readonly provider: ProviderKind;
  /** The key id the envelope names; undefined for a version-2 KMS envelope (see `keyFingerprint`). */
  readonly keyId: string | undefined;
  /** Version-2 KMS envelopes: the 7-bit fingerprint of the KMS key id (`kmsKeyFingerprint` computes it). */
  readonly keyFingerprint: number | undefined;
  readonly wrappedKeyLength: number;
  readonly nonceHex: string;
  readonly headerLength: number;
  /** Equals the plaintext length (AES-GCM does not pad). */
  readonly ciphertextLength: number;
  readonly totalLength: number;
}

/** A value written by Restate's reference codec (`RTv1\0`); always AWS KMS, key not named. */
export interface ReferenceValueInfo {
  readonly format: "reference";
  readonly layout: ReferenceLayout;
  readonly provider: "aws-kms";
  readonly keyId: undefined;
  readonly keyFingerprint: undefined;
  readonly wrappedKeyLength: number;
  readonly nonceHex: string;
  readonly headerLength: number;
  readonly ciphertextLength: number;
  readonly totalLength: number;
}

/** A value with neither prefix: stored before encryption was turned on (or by another writer). */
export interface PlaintextValueInfo {
  readonly format: "plaintext";
  readonly totalLength: number;
}

/** A value that starts like an envelope or a reference value but cannot be parsed. */
export interface InvalidValueInfo {
  readonly format: "invalid";
  readonly claimed: "envelope" | "reference";
  readonly code: "invalid_envelope" | "unsupported_version";
  readonly message: string;
  readonly totalLength: number;
}

/** What `inspectValue` says about any stored value. */
export type StoredValueInfo = EnvelopeInfo | ReferenceValueInfo | PlaintextValueInfo | InvalidValueInfo;

function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new JournalEncryptionError("invalid_option", `${what} expects a Uint8Array`);
  }
}

/**
 * Classifies any stored value without keys and without throwing on its contents: an envelope of
 * this package (version, provider, key id), a value of Restate's reference codec (layout),
 * plaintext, or invalid (with the reason). An empty value is plaintext of length 0.
 *
 * @example
 * ```ts
 * const info = inspectValue(bytes);
 * if (info.format === "envelope") console.log(info.provider, info.keyId ?? info.keyFingerprint);
 * ```
 */
export function inspectValue(value: Uint8Array): StoredValueInfo {
  requireBytes(value, "inspectValue");
  const claimed = claimsEnvelope(value) ? "envelope" : claimsReference(value) ? "reference" : undefined;
  if (claimed === undefined) return { format: "plaintext", totalLength: value.length };
  try {
    return claimed === "reference" ? inspectReference(value) : inspectEnvelope(value);
  } catch (error) {
    if (
      isJournalEncryptionError(error) &&
      (error.code === "invalid_envelope" || error.code === "unsupported_version")
    ) {
      return { format: "invalid", claimed, code: error.code, message: error.message, totalLength: value.length };
    }
    throw error;
  }
}

/**
 * Reads the header of an envelope or of a reference-format value. Throws `not_encrypted` for any
 * other value, `invalid_envelope` or `unsupported_version` for a malformed one.
 *
 * @example
 * ```ts
 * const info = inspectEnvelope(bytes);
 * console.log(info.format, info.provider, info.ciphertextLength);
 * ```
 */
export function inspectEnvelope(value: Uint8Array): EnvelopeInfo | ReferenceValueInfo {
  requireBytes(value, "inspectEnvelope");
  if (hasReferencePrefix(value)) return inspectReference(value);
  const envelope = parseEnvelope(value);
  return {
    format: "envelope",
    version: envelope.version,
    provider: envelope.provider,
    keyId: envelope.keyFingerprint === undefined ? envelope.keyId : undefined,
    keyFingerprint: envelope.keyFingerprint,
    wrappedKeyLength: envelope.wrappedKey.length,
    nonceHex: toHex(envelope.nonce),
    headerLength: envelope.headerLength,
    ciphertextLength: envelope.ciphertextLength,
    totalLength: value.length,
  };
}

function inspectReference(value: Uint8Array): ReferenceValueInfo {
  const reference = parseReferenceEnvelope(value);
  return {
    format: "reference",
    layout: reference.layout,
    provider: "aws-kms",
    keyId: undefined,
    keyFingerprint: undefined,
    wrappedKeyLength: reference.wrappedKey.length,
    nonceHex: toHex(reference.iv),
    headerLength: reference.headerLength,
    ciphertextLength: reference.ciphertextLength,
    totalLength: value.length,
  };
}

/** Options of `openEnvelope`. */
export interface OpenEnvelopeOptions {
  /** AES-GCM implementation; default `"auto"`. */
  crypto?: CryptoImplementation;
  /** Also open values of Restate's reference codec (KMS only; never written). Default false. */
  readReferenceFormat?: boolean;
}

/**
 * Decrypts one stored value with a key provider, without creating a codec (so no data key is
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
  options: OpenEnvelopeOptions = {},
): Promise<Uint8Array> {
  requireBytes(value, "openEnvelope");
  const aes = aesGcm(options.crypto);
  if (claimsReference(value)) {
    if (options.readReferenceFormat !== true) {
      throw new JournalEncryptionError(
        "unsupported_format",
        "value was written by Restate's reference codec; pass readReferenceFormat: true to read it",
      );
    }
    const reference = parseReferenceEnvelope(value);
    const { key } = await unwrapFor(keyProvider, { kind: "reference", wrappedKey: reference.wrappedKey });
    try {
      return aes.open(key, reference.iv, new Uint8Array(0), reference.sealed);
    } finally {
      key.fill(0);
    }
  }
  const envelope = parseEnvelope(value);
  const { key } = await unwrapFor(keyProvider, { kind: "envelope", envelope });
  try {
    return aes.open(key, envelope.nonce, envelope.aad, envelope.sealed);
  } finally {
    key.fill(0);
  }
}
