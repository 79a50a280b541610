import { aesGcm, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from "./aes-gcm.js";
import { bytesEqual, toBase64 } from "./bytes.js";
import type { JournalCodecEvent, JournalCodecStats } from "./codec-events.js";
import { type JournalCodecOptions, type ResolvedCodecOptions, resolveCodecOptions } from "./codec-options.js";
import { DataKeyCache } from "./data-key-cache.js";
import { encodeKeyHeader, hasEnvelopePrefix, type ParsedEnvelope, parseEnvelope, sealEnvelope } from "./envelope.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import type { DataKey } from "./key-provider.js";
import { withRetry } from "./retry.js";

export type { JournalCodecEvent, JournalCodecStats } from "./codec-events.js";
export type { JournalCodecOptions } from "./codec-options.js";

/**
 * A Restate `JournalValueCodec` (structurally: `encode` synchronous, `decode` async) with
 * observability and shutdown.
 */
export interface JournalCodec {
  /** Seals a serialized journal value. Never waits; throws `data_key_exhausted` past the hard limit. */
  encode(value: Uint8Array): Uint8Array;
  /** Opens a sealed value (unwrapping its data key through the provider at most once per process). */
  decode(value: Uint8Array): Promise<Uint8Array>;
  stats(): JournalCodecStats;
  /** Wipes cached keys; later calls throw `codec_closed`. */
  close(): void;
}

interface ActiveKey {
  readonly key: Uint8Array;
  readonly keyId: string;
  readonly wrappedKey: Uint8Array;
  readonly header: Uint8Array;
  readonly cacheId: string;
  readonly createdAt: number;
  uses: number;
}

function cacheIdOf(provider: string, keyId: string, wrappedKey: Uint8Array): string {
  return `${provider}\u0000${keyId}\u0000${toBase64(wrappedKey)}`;
}

function asTypedError(error: unknown, what: string): JournalEncryptionError {
  if (error instanceof JournalEncryptionError) return error;
  return new JournalEncryptionError("provider_error", `${what} failed in the key provider`, { cause: error });
}

class EnvelopeCodec implements JournalCodec {
  readonly #options: ResolvedCodecOptions;
  readonly #aes;
  readonly #cache: DataKeyCache;
  #active: ActiveKey;
  #next: ActiveKey | undefined;
  #rotation: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #nextAttemptAt = 0;
  #lastAttemptAt = 0;
  #exhaustedReported: ActiveKey | undefined;
  #closed = false;
  readonly #counters = {
    encoded: 0,
    decoded: 0,
    plaintextPassedThrough: 0,
    emptyPassedThrough: 0,
    rotations: 0,
    rotationFailures: 0,
    unwraps: 0,
    unwrapFailures: 0,
    cacheHits: 0,
  };

  constructor(options: ResolvedCodecOptions, first: DataKey) {
    this.#options = options;
    this.#aes = aesGcm(options.backend);
    this.#cache = new DataKeyCache({
      maxEntries: options.cacheMaxEntries,
      ttlMs: options.cacheTtlMs,
      now: options.clock,
    });
    this.#active = this.#adopt(first);
  }

  #emit(event: JournalCodecEvent): void {
    this.#options.onEvent(event);
  }

  #adopt(dataKey: DataKey): ActiveKey {
    const kind = this.#options.keyProvider.kind;
    if (!(dataKey.plaintextKey instanceof Uint8Array) || dataKey.plaintextKey.length !== 32) {
      throw new JournalEncryptionError("provider_error", "key provider returned a data key that is not 32 bytes");
    }
    const key = new Uint8Array(dataKey.plaintextKey);
    const wrappedKey = new Uint8Array(dataKey.wrappedKey);
    const cacheId = cacheIdOf(kind, dataKey.keyId, wrappedKey);
    // Our own data keys decode without a provider call.
    this.#cache.set(cacheId, key);
    return {
      key,
      keyId: dataKey.keyId,
      wrappedKey,
      header: encodeKeyHeader(kind, dataKey.keyId, wrappedKey),
      cacheId,
      createdAt: this.#options.clock(),
      uses: 0,
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new JournalEncryptionError("codec_closed", "the journal codec was closed");
  }

  /** Starts one background rotation unless one runs or the last failure asks to wait. */
  #startRotation(now: number, urgent = false): Promise<void> | undefined {
    if (this.#rotation !== undefined || this.#next !== undefined) return this.#rotation;
    // Past the hard limit every invocation fails until a key arrives, so probe at least every second.
    const earliest = urgent ? Math.min(this.#nextAttemptAt, this.#lastAttemptAt + 1000) : this.#nextAttemptAt;
    if (now < earliest) return undefined;
    this.#lastAttemptAt = now;
    const started = this.#options.clock();
    this.#rotation = this.#options.keyProvider
      .generateDataKey()
      .then((dataKey) => {
        if (this.#closed) return;
        this.#next = this.#adopt(dataKey);
        this.#consecutiveFailures = 0;
        this.#counters.rotations++;
        this.#emit({
          type: "data-key-generated",
          keyId: dataKey.keyId,
          initial: false,
          durationMs: this.#options.clock() - started,
        });
      })
      .catch((error: unknown) => {
        this.#consecutiveFailures++;
        this.#counters.rotationFailures++;
        const retryInMs = Math.min(30_000, 500 * 2 ** (this.#consecutiveFailures - 1));
        this.#nextAttemptAt = this.#options.clock() + retryInMs;
        this.#emit({
          type: "data-key-generation-failed",
          error: asTypedError(error, "generateDataKey"),
          consecutiveFailures: this.#consecutiveFailures,
          retryInMs,
        });
      })
      .finally(() => {
        this.#rotation = undefined;
      });
    return this.#rotation;
  }

  #isSpent(key: ActiveKey, now: number): boolean {
    return key.uses >= this.#options.maxUses || now - key.createdAt >= this.#options.maxAgeMs;
  }

  #isBeyondHardLimit(key: ActiveKey, now: number): boolean {
    return key.uses >= this.#options.hardMaxUses || now - key.createdAt >= this.#options.hardMaxAgeMs;
  }

  /** Picks the key to seal with now, starting a rotation when one is due. Never waits. */
  #keyForEncoding(now: number): ActiveKey {
    const options = this.#options;
    if (this.#next !== undefined && this.#isSpent(this.#active, now)) {
      this.#active = this.#next;
      this.#next = undefined;
      this.#emit({ type: "data-key-activated", keyId: this.#active.keyId });
    }
    const active = this.#active;
    if (
      this.#next === undefined &&
      (active.uses + 1 >= options.rotateAtUses || now - active.createdAt >= options.rotateAtAgeMs)
    ) {
      void this.#startRotation(now);
    }
    if (this.#isBeyondHardLimit(active, now)) {
      void this.#startRotation(now, true);
      if (this.#exhaustedReported !== active) {
        this.#exhaustedReported = active;
        this.#emit({
          type: "data-key-exhausted",
          keyId: active.keyId,
          uses: active.uses,
          ageMs: now - active.createdAt,
        });
      }
      throw new JournalEncryptionError(
        "data_key_exhausted",
        "the data key reached its hard limit and the key provider has not delivered a new one; retry later",
      );
    }
    return active;
  }

  encode(value: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (!(value instanceof Uint8Array)) {
      throw new JournalEncryptionError("invalid_options", "encode expects a Uint8Array");
    }
    const active = this.#keyForEncoding(this.#options.clock());
    active.uses++;
    const sealed = sealEnvelope(this.#aes, active.header, active.key, value);
    this.#counters.encoded++;
    return sealed;
  }

  decode(value: Uint8Array): Promise<Uint8Array> {
    // Not an async function: the warm path resolves with a single settled promise.
    try {
      this.#assertOpen();
      if (!(value instanceof Uint8Array)) {
        throw new JournalEncryptionError("invalid_options", "decode expects a Uint8Array");
      }
      if (value.length === 0) {
        if (!this.#options.allowEmpty) {
          throw new JournalEncryptionError(
            "not_encrypted",
            "empty value refused: an encoded value is never empty (set allowEmpty to accept bodiless calls)",
          );
        }
        this.#counters.emptyPassedThrough++;
        return Promise.resolve(new Uint8Array(0));
      }
      if (!hasEnvelopePrefix(value)) {
        if (!this.#options.allowPlaintext) {
          throw new JournalEncryptionError(
            "not_encrypted",
            "value is not an encrypted journal envelope; enable allowPlaintext only while migrating unencrypted journals",
          );
        }
        this.#counters.plaintextPassedThrough++;
        this.#emit({ type: "plaintext-passed-through", length: value.length });
        return Promise.resolve(value);
      }
      const waiting = this.#housekeeping();
      return waiting === undefined ? this.#open(value) : waiting.then(() => this.#open(value));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #open(value: Uint8Array): Promise<Uint8Array> {
    // Fast path: a value sealed under the active key starts with exactly its header bytes.
    const active = this.#active;
    const headerLength = active.header.length;
    if (
      value.length >= headerLength + GCM_NONCE_LENGTH + GCM_TAG_LENGTH &&
      bytesEqual(value.subarray(0, headerLength), active.header)
    ) {
      const aadLength = headerLength + GCM_NONCE_LENGTH;
      const plaintext = this.#aes.open(
        active.key,
        value.subarray(headerLength, aadLength),
        value.subarray(0, aadLength),
        value.subarray(aadLength),
      );
      this.#counters.cacheHits++;
      this.#counters.decoded++;
      return Promise.resolve(plaintext);
    }
    const envelope = parseEnvelope(value);
    const kind = this.#options.keyProvider.kind;
    if (envelope.provider !== kind) {
      throw new JournalEncryptionError(
        "wrong_provider",
        `value was sealed with a "${envelope.provider}" key provider; this codec uses "${kind}"`,
      );
    }
    const open = (key: Uint8Array) => {
      const plaintext = this.#aes.open(key, envelope.nonce, envelope.aad, envelope.sealed);
      this.#counters.decoded++;
      return plaintext;
    };
    return this.#dataKeyFor(envelope).then(open);
  }

  /**
   * Decode is async, and every invocation decodes its input before it encodes anything, so this is
   * where a codec whose key outlived its hard limit (e.g. after an idle period) waits for one
   * rotation attempt instead of failing the next encode. Returns undefined when nothing to wait for.
   */
  #housekeeping(): Promise<void> | undefined {
    if (this.#next !== undefined) return undefined;
    const now = this.#options.clock();
    if (this.#isBeyondHardLimit(this.#active, now)) return this.#awaitFreshKey();
    if (
      this.#active.uses >= this.#options.rotateAtUses ||
      now - this.#active.createdAt >= this.#options.rotateAtAgeMs
    ) {
      void this.#startRotation(now);
    }
    return undefined;
  }

  async #awaitFreshKey(): Promise<void> {
    if (this.#rotation !== undefined) await this.#rotation;
    if (this.#next === undefined) await this.#startRotation(this.#options.clock(), true);
    if (this.#next !== undefined) this.#keyForEncoding(this.#options.clock());
  }

  async #dataKeyFor(envelope: ParsedEnvelope): Promise<Uint8Array> {
    const provider = this.#options.keyProvider;
    const keyId = envelope.keyId;
    const wrappedKey = new Uint8Array(envelope.wrappedKey);
    const lookup = this.#cache.getOrLoad(cacheIdOf(provider.kind, keyId, wrappedKey), async () => {
      const started = this.#options.clock();
      try {
        const key = await withRetry(
          this.#options.retry,
          () => {
            this.#counters.unwraps++;
            return provider.unwrapDataKey({ keyId, wrappedKey });
          },
          (attempt, delayMs, error) =>
            this.#emit({ type: "unwrap-retry", keyId, attempt, delayMs, error: asTypedError(error, "unwrap") }),
          () => this.#closed,
        );
        if (!(key instanceof Uint8Array) || key.length !== 32) {
          throw new JournalEncryptionError("provider_error", "key provider returned a data key that is not 32 bytes");
        }
        this.#emit({ type: "data-key-unwrapped", keyId, durationMs: this.#options.clock() - started });
        return key;
      } catch (error) {
        this.#counters.unwrapFailures++;
        throw asTypedError(error, "unwrap");
      }
    });
    if (lookup.hit) this.#counters.cacheHits++;
    return lookup.key;
  }

  stats(): JournalCodecStats {
    const now = this.#options.clock();
    return {
      backend: this.#aes.backend,
      provider: this.#options.keyProvider.kind,
      activeKey: { keyId: this.#active.keyId, uses: this.#active.uses, ageMs: now - this.#active.createdAt },
      nextKeyReady: this.#next !== undefined,
      ...this.#counters,
      cacheEntries: this.#cache.size,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.wipe();
    this.#active.key.fill(0);
    this.#next?.key.fill(0);
    this.#next = undefined;
  }
}

/**
 * Creates the journal codec. Resolves once the first data key is ready, so `encode` never waits.
 *
 * @example
 * ```ts
 * import * as restate from "@restatedev/restate-sdk";
 * import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
 *
 * const codec = createJournalCodec({
 *   keyProvider: localKeyProvider({ keys: { k1: process.env.JOURNAL_KEY! }, activeKeyId: "k1" }),
 * });
 * restate.serve({ services: [greeter], journalValueCodecProvider: () => codec });
 * ```
 */
export async function createJournalCodec(options: JournalCodecOptions): Promise<JournalCodec> {
  const resolved = resolveCodecOptions(options);
  aesGcm(resolved.backend);
  const started = resolved.clock();
  let first: DataKey;
  try {
    first = await withRetry(resolved.retry, () => resolved.keyProvider.generateDataKey());
  } catch (error) {
    throw isJournalEncryptionError(error) ? error : asTypedError(error, "generateDataKey");
  }
  const codec = new EnvelopeCodec(resolved, first);
  resolved.onEvent({
    type: "data-key-generated",
    keyId: first.keyId,
    initial: true,
    durationMs: resolved.clock() - started,
  });
  return codec;
}
