/**
 * The journal codec: `encode` seals with the current data key (chosen by `codec-rotation.ts`),
 * `decode` opens envelopes of both versions and, when asked, values of Restate's reference codec.
 */
import { aesGcm, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from "./aes-gcm.js";
import { bytesEqual } from "./bytes.js";
import type { JournalCodecEvent, JournalCodecStats } from "./codec-events.js";
import { type JournalCodecOptions, type ResolvedCodecOptions, resolveCodecOptions } from "./codec-options.js";
import { asProviderError, cacheIdOf, DataKeyRotation, wipeDataKey } from "./codec-rotation.js";
import { DataKeyCache } from "./data-key-cache.js";
import { claimsEnvelope, parseEnvelope, sealEnvelope } from "./envelope.js";
import { claimsReference, parseReferenceEnvelope } from "./envelope-reference.js";
import { type UnwrapTarget, unwrapFor } from "./envelope-unwrap.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import type { DataKey } from "./key-provider.js";
import { withDeadline, withRetry } from "./retry.js";

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
  /**
   * Zeroes every data key it holds, including one still being unwrapped or generated when it
   * arrives; later and pending calls reject with `codec_closed`.
   */
  close(): void;
}

function closedError(): JournalEncryptionError {
  return new JournalEncryptionError("codec_closed", "the journal codec was closed");
}

class EnvelopeCodec implements JournalCodec {
  readonly #options: ResolvedCodecOptions;
  readonly #aes;
  readonly #cache: DataKeyCache;
  readonly #rotation: DataKeyRotation;
  #closed = false;
  /** Rejects with `codec_closed` at `close()`: every wait of a decode races it. */
  readonly #closing: Promise<never>;
  #signalClosed: (error: JournalEncryptionError) => void = () => undefined;
  readonly #counters = {
    encoded: 0,
    decoded: 0,
    plaintextPassedThrough: 0,
    emptyPassedThrough: 0,
    referenceDecoded: 0,
    unwraps: 0,
    unwrapFailures: 0,
    cacheHits: 0,
  };

  constructor(options: ResolvedCodecOptions, first: DataKey) {
    this.#options = options;
    this.#closing = new Promise<never>((_, reject) => {
      this.#signalClosed = reject;
    });
    this.#closing.catch(() => undefined);
    this.#aes = aesGcm(options.crypto);
    this.#cache = new DataKeyCache({
      maxEntries: options.cacheMaxEntries,
      ttlMs: options.cacheTtlMs,
      now: options.now,
    });
    // Our own data keys decode without a provider call.
    this.#rotation = new DataKeyRotation(options, first, (sealing) => this.#cache.set(sealing.cacheId, sealing.key));
  }

  #emit(event: JournalCodecEvent): void {
    this.#options.onEvent(event);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  encode(value: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (!(value instanceof Uint8Array)) {
      throw new JournalEncryptionError("invalid_option", "encode expects a Uint8Array");
    }
    const active = this.#rotation.current(this.#options.now());
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
        throw new JournalEncryptionError("invalid_option", "decode expects a Uint8Array");
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
      if (!claimsEnvelope(value)) {
        if (claimsReference(value)) return this.#openReference(value);
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
      const waiting = this.#rotation.housekeeping(this.#options.now());
      return waiting === undefined
        ? this.#open(value)
        : Promise.race([waiting, this.#closing]).then(() => this.#open(value));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #open(value: Uint8Array): Promise<Uint8Array> {
    this.#assertOpen();
    // Fast path: a value sealed under the active key starts with exactly its header bytes.
    const active = this.#rotation.active;
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
    const reference = envelope.keyFingerprint === undefined ? envelope.keyId : `#${envelope.keyFingerprint}`;
    const cacheId = cacheIdOf(
      envelope.provider,
      envelope.keyFingerprint === undefined
        ? { kind: "key-id", keyId: envelope.keyId }
        : { kind: "fingerprint", fingerprint: envelope.keyFingerprint },
      envelope.wrappedKey,
    );
    return this.#dataKeyFor(cacheId, reference, { kind: "envelope", envelope }).then((key) => {
      this.#assertOpen();
      const plaintext = this.#aes.open(key, envelope.nonce, envelope.aad, envelope.sealed);
      this.#counters.decoded++;
      return plaintext;
    });
  }

  #openReference(value: Uint8Array): Promise<Uint8Array> {
    if (!this.#options.readReferenceFormat) {
      throw new JournalEncryptionError(
        "unsupported_format",
        "value was written by Restate's reference codec; set readReferenceFormat to read it while migrating",
      );
    }
    const parsed = parseReferenceEnvelope(value);
    const cacheId = cacheIdOf("aws-kms", { kind: "reference" }, parsed.wrappedKey);
    return this.#dataKeyFor(cacheId, "reference", { kind: "reference", wrappedKey: parsed.wrappedKey }).then((key) => {
      this.#assertOpen();
      const plaintext = this.#aes.open(key, parsed.iv, new Uint8Array(0), parsed.sealed);
      this.#counters.decoded++;
      this.#counters.referenceDecoded++;
      return plaintext;
    });
  }

  /** The data key, or `codec_closed` as soon as `close()` runs (a provider call may still be pending). */
  #dataKeyFor(cacheId: string, keyReference: string, target: UnwrapTarget): Promise<Uint8Array> {
    return Promise.race([this.#lookUp(cacheId, keyReference, target), this.#closing]);
  }

  #lookUp(cacheId: string, keyReference: string, target: UnwrapTarget): Promise<Uint8Array> {
    const provider = this.#options.keyProvider;
    const lookup = this.#cache.getOrLoad(cacheId, async () => {
      const started = this.#options.now();
      try {
        const { key, keyId } = await withRetry(
          this.#options.retry,
          () => {
            this.#counters.unwraps++;
            return withDeadline(
              () => unwrapFor(provider, target),
              this.#options.providerTimeoutMs,
              "unwrapping a data key",
              (late) => late.key.fill(0),
            );
          },
          (attempt, delayMs, error) =>
            this.#emit({
              type: "unwrap-retry",
              keyId: keyReference,
              attempt,
              delayMs,
              error: asProviderError(error, "unwrap"),
            }),
          () => this.#closed,
        );
        this.#emit({ type: "data-key-unwrapped", keyId, durationMs: this.#options.now() - started });
        return key;
      } catch (error) {
        this.#counters.unwrapFailures++;
        throw asProviderError(error, "unwrap");
      }
    });
    if (lookup.hit) this.#counters.cacheHits++;
    return lookup.key;
  }

  stats(): JournalCodecStats {
    const now = this.#options.now();
    const active = this.#rotation.active;
    return {
      crypto: this.#aes.crypto,
      provider: this.#options.keyProvider.kind,
      activeKey: { keyId: active.keyId, uses: active.uses, ageMs: now - active.createdAt },
      nextKeyReady: this.#rotation.nextReady,
      ...this.#counters,
      rotations: this.#rotation.rotations,
      rotationFailures: this.#rotation.rotationFailures,
      cacheEntries: this.#cache.size,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signalClosed(closedError());
    this.#cache.wipe();
    this.#rotation.close();
  }
}

/**
 * Creates the journal codec. Resolves once the first data key is ready, so `encode` never waits.
 * On serverless platforms prefer `lazyJournalCodec`, which retries a failed start on the next call.
 *
 * @example
 * ```ts
 * import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
 *
 * const codec = await createJournalCodec({
 *   keyProvider: localKeyProvider({ keys: { k1: process.env.JOURNAL_KEY ?? "" }, activeKeyId: "k1" }),
 * });
 * ```
 */
export async function createJournalCodec(options: JournalCodecOptions): Promise<JournalCodec> {
  const resolved = resolveCodecOptions(options);
  aesGcm(resolved.crypto);
  const started = resolved.now();
  let first: DataKey;
  try {
    first = await withRetry(resolved.retry, () =>
      withDeadline(
        () => resolved.keyProvider.generateDataKey(),
        resolved.providerTimeoutMs,
        "generating the first data key",
        wipeDataKey,
      ),
    );
  } catch (error) {
    throw isJournalEncryptionError(error) ? error : asProviderError(error, "generateDataKey");
  }
  const codec = new EnvelopeCodec(resolved, first);
  resolved.onEvent({
    type: "data-key-generated",
    keyId: first.keyId,
    initial: true,
    durationMs: resolved.now() - started,
  });
  return codec;
}
