export type { CryptoBackend, CryptoImplementation } from "./aes-gcm.js";
export { detectCrypto } from "./aes-gcm.js";
export type { JournalCodec, JournalCodecEvent, JournalCodecOptions, JournalCodecStats } from "./codec.js";
export { createJournalCodec } from "./codec.js";
export type { LazyJournalCodec, LazyJournalCodecOptions } from "./codec-lazy.js";
export { lazyJournalCodec } from "./codec-lazy.js";
export type { DecodeHandlerOptions, DecodeResult } from "./decode-handler.js";
export { createDecodeHandler } from "./decode-handler.js";
export type { EnvelopeVersion, ProviderKind } from "./envelope.js";
export { keyFingerprint as kmsKeyFingerprint } from "./envelope-fingerprint.js";
export type { ReferenceLayout } from "./envelope-reference.js";
export type { JournalEncryptionErrorCode } from "./errors.js";
export { isJournalEncryptionError, JOURNAL_ENCRYPTION_ERROR_CODES, JournalEncryptionError } from "./errors.js";
export type {
  EnvelopeInfo,
  InvalidValueInfo,
  OpenEnvelopeOptions,
  PlaintextValueInfo,
  ReferenceValueInfo,
  StoredValueInfo,
} from "./inspect.js";
export { inspectEnvelope, inspectValue, openEnvelope } from "./inspect.js";
export type { DataKey, KeyProvider, UnnamedDataKeyRequest } from "./key-provider.js";
export type { LocalKeyProviderOptions } from "./local-key-provider.js";
export { generateLocalKey, localKeyProvider } from "./local-key-provider.js";
export type { RetryPolicy } from "./retry.js";
