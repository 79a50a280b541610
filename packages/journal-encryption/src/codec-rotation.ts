/**
 * Data-key rotation for the codec: which key seals now, when the next one is generated, and how
 * long to wait after the provider fails (the one backoff of `retry.ts`). Never waits in `current`:
 * the SDK's `encode` is synchronous, so rotation runs in the background ahead of need.
 */
import { toBase64 } from "./bytes.js";
import type { JournalCodecEvent } from "./codec-events.js";
import type { ResolvedCodecOptions } from "./codec-options.js";
import { encodeKeyHeader, fitsVersion2 } from "./envelope.js";
import { keyFingerprint } from "./envelope-fingerprint.js";
import { JournalEncryptionError } from "./errors.js";
import type { DataKey } from "./key-provider.js";
import { backoffDelay, withDeadline } from "./retry.js";

/** The key the codec seals with, and the envelope header it writes (computed once per key). */
export interface SealingKey {
  readonly key: Uint8Array;
  readonly keyId: string;
  readonly header: Uint8Array;
  /** The data-key cache id of this key (so the codec's own values decode without a provider call). */
  readonly cacheId: string;
  readonly createdAt: number;
  uses: number;
}

/** Rotation failures: 0.5 s doubling to 30 s between attempts, with the jitter of `retry.ts`. */
const ROTATION_BACKOFF = { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 500, maxDelayMs: 30_000 };

/** How a value names the key that wrapped its data key. */
export type KeyReference =
  | { readonly kind: "key-id"; readonly keyId: string }
  | { readonly kind: "fingerprint"; readonly fingerprint: number }
  | { readonly kind: "reference" };

/**
 * The data-key cache id: provider kind, the key reference and the wrapped key. Each kind of reference
 * has its own tag, so no key id a value can spell (`#5`, `reference`…) shares an id with a
 * fingerprint or a reference-format value: one value's refusal is never another value's answer.
 */
export function cacheIdOf(provider: string, reference: KeyReference, wrappedKey: Uint8Array): string {
  const tag =
    reference.kind === "key-id"
      ? `id:${reference.keyId}`
      : reference.kind === "fingerprint"
        ? `fp:${reference.fingerprint}`
        : "ref";
  return `${provider}\u0000${tag}\u0000${toBase64(wrappedKey)}`;
}

export function asProviderError(error: unknown, what: string): JournalEncryptionError {
  if (error instanceof JournalEncryptionError) return error;
  return new JournalEncryptionError("provider_error", `${what} failed in the key provider`, { cause: error });
}

/** Overwrites the plaintext of a data key the codec will not use (or has copied). */
export function wipeDataKey(dataKey: DataKey | undefined): void {
  if (dataKey?.plaintextKey instanceof Uint8Array) dataKey.plaintextKey.fill(0);
}

export class DataKeyRotation {
  readonly #options: ResolvedCodecOptions;
  readonly #onAdopt: (key: SealingKey) => void;
  #active: SealingKey;
  #next: SealingKey | undefined;
  #rotation: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #nextAttemptAt = 0;
  #lastAttemptAt = 0;
  #exhaustedReported: SealingKey | undefined;
  #closed = false;
  rotations = 0;
  rotationFailures = 0;

  /** `onAdopt` sees every key taken into use (the codec caches it for decoding). */
  constructor(options: ResolvedCodecOptions, first: DataKey, onAdopt: (key: SealingKey) => void) {
    this.#options = options;
    this.#onAdopt = onAdopt;
    this.#active = this.#adopt(first);
  }

  get active(): SealingKey {
    return this.#active;
  }

  get nextReady(): boolean {
    return this.#next !== undefined;
  }

  #emit(event: JournalCodecEvent): void {
    this.#options.onEvent(event);
  }

  #adopt(dataKey: DataKey): SealingKey {
    const kind = this.#options.keyProvider.kind;
    if (!(dataKey?.plaintextKey instanceof Uint8Array) || dataKey.plaintextKey.length !== 32) {
      throw new JournalEncryptionError("provider_error", "key provider returned a data key that is not 32 bytes");
    }
    if (typeof dataKey.keyId !== "string" || !(dataKey.wrappedKey instanceof Uint8Array)) {
      throw new JournalEncryptionError(
        "provider_error",
        "key provider returned a data key without key id or wrapped key",
      );
    }
    const key = new Uint8Array(dataKey.plaintextKey);
    // The codec's copy is the only one that lives on (close() zeroes it); the provider's array — for
    // KMS, the SDK's response — would otherwise keep the data key in memory until collected.
    wipeDataKey(dataKey);
    const wrappedKey = new Uint8Array(dataKey.wrappedKey);
    const version = this.#options.envelopeVersion === 2 && fitsVersion2(kind, dataKey.keyId, wrappedKey) ? 2 : 1;
    const sealing: SealingKey = {
      key,
      keyId: dataKey.keyId,
      header: encodeKeyHeader(kind, dataKey.keyId, wrappedKey, version),
      cacheId: cacheIdOf(
        kind,
        version === 2 && kind === "aws-kms"
          ? { kind: "fingerprint", fingerprint: keyFingerprint(dataKey.keyId) }
          : { kind: "key-id", keyId: dataKey.keyId },
        wrappedKey,
      ),
      createdAt: this.#options.now(),
      uses: 0,
    };
    this.#onAdopt(sealing);
    return sealing;
  }

  /** Starts one background rotation unless one runs or the last failure asks to wait. */
  #start(now: number, urgent = false): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#rotation !== undefined || this.#next !== undefined) return this.#rotation;
    // Past the hard limit every invocation fails until a key arrives, so probe at least every second.
    const earliest = urgent ? Math.min(this.#nextAttemptAt, this.#lastAttemptAt + 1000) : this.#nextAttemptAt;
    if (now < earliest) return undefined;
    this.#lastAttemptAt = now;
    const started = this.#options.now();
    this.#rotation = withDeadline(
      () => this.#options.keyProvider.generateDataKey(),
      this.#options.providerTimeoutMs,
      "generating a data key",
      wipeDataKey,
    )
      .then((dataKey) => {
        if (this.#closed) {
          // A key that arrives after close() is wiped, never adopted.
          wipeDataKey(dataKey);
          return;
        }
        this.#next = this.#adopt(dataKey);
        this.#consecutiveFailures = 0;
        this.rotations++;
        this.#emit({
          type: "data-key-generated",
          keyId: dataKey.keyId,
          initial: false,
          durationMs: this.#options.now() - started,
        });
      })
      .catch((error: unknown) => {
        this.#consecutiveFailures++;
        this.rotationFailures++;
        const retryInMs = backoffDelay(ROTATION_BACKOFF, this.#consecutiveFailures);
        this.#nextAttemptAt = this.#options.now() + retryInMs;
        this.#emit({
          type: "data-key-generation-failed",
          error: asProviderError(error, "generateDataKey"),
          consecutiveFailures: this.#consecutiveFailures,
          retryInMs,
        });
      })
      .finally(() => {
        this.#rotation = undefined;
      });
    return this.#rotation;
  }

  #isSpent(key: SealingKey, now: number): boolean {
    return key.uses >= this.#options.maxUses || now - key.createdAt >= this.#options.maxAgeMs;
  }

  #isBeyondHardLimit(key: SealingKey, now: number): boolean {
    return key.uses >= this.#options.hardMaxUses || now - key.createdAt >= this.#options.hardMaxAgeMs;
  }

  #isDue(key: SealingKey, now: number, pending = 0): boolean {
    return key.uses + pending >= this.#options.rotateAtUses || now - key.createdAt >= this.#options.rotateAtAgeMs;
  }

  /** The key to seal with now, starting a rotation when one is due. Never waits. */
  current(now: number): SealingKey {
    if (this.#next !== undefined && this.#isSpent(this.#active, now)) {
      this.#active = this.#next;
      this.#next = undefined;
      this.#emit({ type: "data-key-activated", keyId: this.#active.keyId });
    }
    const active = this.#active;
    if (this.#next === undefined && this.#isDue(active, now, 1)) void this.#start(now);
    if (this.#isBeyondHardLimit(active, now)) {
      void this.#start(now, true);
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

  /**
   * Decode is async, and every invocation decodes its input before it encodes anything, so this is
   * where a codec whose key outlived its hard limit (e.g. after an idle period) waits for one
   * rotation attempt instead of failing the next encode. Returns undefined when nothing to wait for.
   */
  housekeeping(now: number): Promise<void> | undefined {
    if (this.#next !== undefined) return undefined;
    if (this.#isBeyondHardLimit(this.#active, now)) return this.#awaitFreshKey();
    if (this.#isDue(this.#active, now)) void this.#start(now);
    return undefined;
  }

  async #awaitFreshKey(): Promise<void> {
    if (this.#rotation !== undefined) await this.#rotation;
    if (this.#next === undefined) await this.#start(this.#options.now(), true);
    if (this.#next !== undefined && !this.#closed) this.current(this.#options.now());
  }

  /** Zeroes the active and the waiting key; a key generated later is zeroed on arrival. */
  close(): void {
    this.#closed = true;
    this.#active.key.fill(0);
    this.#next?.key.fill(0);
    this.#next = undefined;
  }
}
