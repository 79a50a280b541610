import type { CryptoBackend } from "./aes-gcm.js";
import type { JournalCodecEvent } from "./codec-events.js";
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
  /** Force an AES-GCM implementation; default: native where available, else `@noble/ciphers`. */
  backend?: CryptoBackend;
  /** Observability hook (rotations, failures, unwraps). Exceptions thrown by it are ignored. */
  onEvent?: (event: JournalCodecEvent) => void;
  /** Clock in milliseconds; default `Date.now`. Exposed for tests of age-based rotation. */
  clock?: () => number;
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
  allowPlaintext: boolean;
  allowEmpty: boolean;
  backend: CryptoBackend | undefined;
  onEvent: (event: JournalCodecEvent) => void;
  clock: () => number;
}

function invalid(message: string): JournalEncryptionError {
  return new JournalEncryptionError("invalid_options", `createJournalCodec: ${message}`);
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
  if (options.backend !== undefined && options.backend !== "node" && options.backend !== "noble") {
    throw invalid(`backend must be "node" or "noble", got ${String(options.backend)}`);
  }
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
    allowPlaintext: options.allowPlaintext ?? false,
    allowEmpty: options.allowEmpty ?? options.allowPlaintext ?? false,
    backend: options.backend,
    onEvent: (event) => {
      try {
        userOnEvent?.(event);
      } catch {
        // An observer must never break encoding or decoding.
      }
    },
    clock: options.clock ?? Date.now,
  };
}
