import type { CryptoImplementation } from "./aes-gcm.js";
import type { JournalCodecEvent } from "./codec-events.js";
import type { EnvelopeVersion } from "./envelope.js";
import { JournalEncryptionError } from "./errors.js";
import type { KeyProvider } from "./key-provider.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

/** AES-GCM with random 96-bit nonces must not seal more than 2^32 values under one key (NIST SP 800-38D). */
export const GCM_RANDOM_NONCE_LIMIT = 2 ** 32;

export interface JournalCodecOptions {
  /** Where data keys come from: `localKeyProvider(...)` or `kmsKeyProvider(...)` from `/kms`. */
  keyProvider: KeyProvider;
  /**
   * A data key is replaced once it is this old. Default 1 hour: bounds how much data one key
   * protects, while costing only 24 `GenerateDataKey` calls per process per day.
   */
  dataKeyMaxAgeMs?: number;
  /**
   * A data key is replaced after sealing this many values. Default 2^24 (≈16.8 M): the chance of
   * two random 96-bit nonces colliding stays below 2^-49. Never above 2^32.
   */
  dataKeyMaxUses?: number;
  /**
   * While the provider fails, the current key keeps working until this age; then `encode` throws
   * `data_key_exhausted`. Default 24 hours (a day to fix a KMS outage without failing invocations).
   */
  dataKeyHardMaxAgeMs?: number;
  /** Hard use limit while the provider fails. Default min(4 × dataKeyMaxUses, 2^32); never above 2^32. */
  dataKeyHardMaxUses?: number;
  /**
   * Cache of unwrapped data keys for decoding. Defaults: 1 000 entries, 1 hour TTL (after a KMS key
   * is disabled, cached data keys stop working within the TTL).
   */
  decryptCache?: { maxEntries?: number; ttlMs?: number };
  /**
   * Retries of transient provider failures (unwrap in `decode`, the first data key in
   * `createJournalCodec`). Defaults: until the provider answers, 100 ms doubling to 5 s between
   * tries. See `RetryPolicy.maxAttempts` for why waiting is the default.
   */
  decodeRetry?: RetryPolicy;
  /**
   * Longest wait for one key-provider call (generating or unwrapping a data key). A call that has
   * not answered by then counts as a transient failure (`provider_unavailable`, retried by
   * `decodeRetry` and by rotation's backoff); a data key that arrives later is wiped. Default 30 s.
   * Without it a provider that never answers (the AWS SDK sets no request timeout by default) would
   * hold every decode waiting on that data key, and rotation, for the life of the process.
   */
  providerTimeoutMs?: number;
  /** Decode values without the envelope prefix as they are (migration). Default false: refused. */
  allowPlaintext?: boolean;
  /**
   * Decode an empty value to an empty value. Default false (fail closed). The SDK never hands the
   * codec an empty value it produced itself: `encode` of an empty value yields a full envelope. Empty
   * values reach `decode` only from callers that do not encode, e.g. a handler invoked over plain
   * HTTP without a body, or an awakeable resolved with an empty body. Turn this on to accept those
   * as "no value" without accepting any other plaintext (`allowPlaintext` accepts empty values too).
   */
  allowEmpty?: boolean;
  /**
   * AES-GCM implementation: `"auto"` (default: native where available, else `@noble/ciphers`),
   * `"node"` or `"noble"`. `stats().crypto` reports the one in use.
   */
  crypto?: CryptoImplementation;
  /**
   * Envelope version `encode` writes. Default 2 (compact: a KMS envelope is no larger than the
   * reference codec's value); 1 names the key in full and is read by every release of this package —
   * choose it while older readers still decode your journal. Data keys that do not fit version 2
   * (a local key id over 127 bytes, a wrapped key over 255 bytes) are written as version 1.
   * Both versions are always read.
   */
  envelopeVersion?: EnvelopeVersion;
  /**
   * Also decode values written by Restate's reference codec (`RTv1\0`, both of its layouts), for
   * migrating to this codec. Needs `kmsKeyProvider`; `Decrypt` stays pinned to its allowed keys.
   * They are never written. Default false: such values are refused with `unsupported_format`.
   */
  readReferenceFormat?: boolean;
  /** Observability hook (rotations, failures, unwraps). Exceptions thrown by it are ignored. */
  onEvent?: (event: JournalCodecEvent) => void;
  /** The current time in epoch milliseconds, like `Date.now` (the default); for tests of age-based rotation. */
  now?: () => number;
}

export interface ResolvedCodecOptions {
  keyProvider: KeyProvider;
  maxAgeMs: number;
  maxUses: number;
  hardMaxAgeMs: number;
  hardMaxUses: number;
  rotateAtAgeMs: number;
  rotateAtUses: number;
  cacheMaxEntries: number;
  cacheTtlMs: number;
  retry: Required<RetryPolicy>;
  providerTimeoutMs: number;
  allowPlaintext: boolean;
  allowEmpty: boolean;
  crypto: CryptoImplementation;
  envelopeVersion: EnvelopeVersion;
  readReferenceFormat: boolean;
  onEvent: (event: JournalCodecEvent) => void;
  now: () => number;
}

function invalid(message: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_option", `createJournalCodec: ${message}`);
}

function positiveInteger(name: string, value: number | undefined, fallback: number, max?: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(`${name} must be a positive integer, got ${value}`);
  if (max !== undefined && value > max) throw invalid(`${name} must be at most ${max}, got ${value}`);
  return value;
}

/** Validates options and fills in the documented defaults. */
export function resolveCodecOptions(options: JournalCodecOptions): ResolvedCodecOptions {
  const provider = options?.keyProvider;
  if (
    provider === undefined ||
    typeof provider.generateDataKey !== "function" ||
    typeof provider.unwrapDataKey !== "function"
  ) {
    throw invalid("keyProvider is required (localKeyProvider or kmsKeyProvider)");
  }
  const maxAgeMs = positiveInteger("dataKeyMaxAgeMs", options.dataKeyMaxAgeMs, 3_600_000);
  const maxUses = positiveInteger("dataKeyMaxUses", options.dataKeyMaxUses, 2 ** 24, GCM_RANDOM_NONCE_LIMIT);
  const hardMaxAgeMs = positiveInteger(
    "dataKeyHardMaxAgeMs",
    options.dataKeyHardMaxAgeMs,
    Math.max(86_400_000, maxAgeMs),
  );
  const hardMaxUses = positiveInteger(
    "dataKeyHardMaxUses",
    options.dataKeyHardMaxUses,
    Math.min(4 * maxUses, GCM_RANDOM_NONCE_LIMIT),
    GCM_RANDOM_NONCE_LIMIT,
  );
  if (hardMaxAgeMs < maxAgeMs) throw invalid("dataKeyHardMaxAgeMs must be ≥ dataKeyMaxAgeMs");
  if (hardMaxUses < maxUses) throw invalid("dataKeyHardMaxUses must be ≥ dataKeyMaxUses");
  const retry = options.decodeRetry ?? {};
  const crypto = options.crypto ?? "auto";
  if (crypto !== "auto" && crypto !== "node" && crypto !== "noble") {
    throw invalid(`crypto must be "auto", "node" or "noble", got ${JSON.stringify(String(crypto))}`);
  }
  const envelopeVersion = options.envelopeVersion ?? 2;
  if (envelopeVersion !== 1 && envelopeVersion !== 2) {
    throw invalid(`envelopeVersion must be 1 or 2, got ${JSON.stringify(String(envelopeVersion))}`);
  }
  if (options.readReferenceFormat !== undefined && typeof options.readReferenceFormat !== "boolean") {
    throw invalid("readReferenceFormat must be a boolean");
  }
  if (options.readReferenceFormat === true && provider.kind !== "aws-kms") {
    throw invalid("readReferenceFormat needs kmsKeyProvider: the reference codec only writes KMS data keys");
  }
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw invalid("now must be a function returning epoch milliseconds");
  const userOnEvent = options.onEvent;
  return {
    keyProvider: provider,
    maxAgeMs,
    maxUses,
    hardMaxAgeMs,
    hardMaxUses,
    // Rotation starts at 75 % of either soft limit so the next key is ready before it is needed.
    rotateAtAgeMs: Math.floor(maxAgeMs * 0.75),
    rotateAtUses: Math.max(1, Math.floor(maxUses * 0.75)),
    cacheMaxEntries: positiveInteger("decryptCache.maxEntries", options.decryptCache?.maxEntries, 1000),
    cacheTtlMs: positiveInteger("decryptCache.ttlMs", options.decryptCache?.ttlMs, 3_600_000),
    retry: {
      maxAttempts:
        retry.maxAttempts === Number.POSITIVE_INFINITY
          ? retry.maxAttempts
          : positiveInteger("decodeRetry.maxAttempts", retry.maxAttempts, DEFAULT_RETRY.maxAttempts),
      initialDelayMs: positiveInteger("decodeRetry.initialDelayMs", retry.initialDelayMs, DEFAULT_RETRY.initialDelayMs),
      maxDelayMs: positiveInteger("decodeRetry.maxDelayMs", retry.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
    },
    providerTimeoutMs: positiveInteger("providerTimeoutMs", options.providerTimeoutMs, 30_000, 2 ** 31 - 1),
    allowPlaintext: options.allowPlaintext ?? false,
    allowEmpty: options.allowEmpty ?? options.allowPlaintext ?? false,
    crypto,
    envelopeVersion,
    readReferenceFormat: options.readReferenceFormat === true,
    onEvent: (event) => {
      try {
        userOnEvent?.(event);
      } catch {
        // An observer must never break encoding or decoding.
      }
    },
    now,
  };
}
