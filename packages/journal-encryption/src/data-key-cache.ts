/**
 * A bounded LRU of unwrapped data keys with a time-to-live, plus single-flight: concurrent lookups
 * of the same wrapped key share one provider call. Keys leaving the cache are not zeroed (a decode
 * may still hold them); `wipe` zeroes every key it holds and every key still being loaded.
 *
 * Refusals of a value are remembered too, briefly: a stored value whose wrapped key the provider
 * refused (a tampered blob, a key outside the allowed ones) would otherwise cost a provider call —
 * for a reference-format value one `Decrypt` per allowed key — every time it is read, and Restate
 * reads state and replays journals on every attempt. Transient failures and refusals that an
 * operator can fix (a disabled key, a missing permission) are never remembered.
 */
import { JournalEncryptionError } from "./errors.js";

/** How long a refused unwrap is answered from memory (never longer than the key TTL). */
export const REFUSAL_TTL_MS = 60_000;

export interface DataKeyCacheOptions {
  maxEntries: number;
  ttlMs: number;
  now: () => number;
}

interface Entry {
  readonly key: Uint8Array;
  readonly expiresAt: number;
}

interface Refusal {
  readonly error: JournalEncryptionError;
  readonly expiresAt: number;
}

/** Refusals that say something about the value itself: no later attempt can turn them around. */
const VALUE_REFUSALS: ReadonlySet<string> = new Set([
  "key_not_allowed",
  "unknown_key",
  "wrong_provider",
  "invalid_envelope",
  "authentication_failed",
]);

/**
 * True for refusals worth remembering. A disabled key, a denied permission or missing credentials
 * are refusals too, but of the moment, and fixing them must take effect on the next read; KMS's
 * `InvalidCiphertextException` (a modified blob, or one made for another encryption context) is
 * about the value.
 */
function isLasting(error: unknown): error is JournalEncryptionError {
  if (!(error instanceof JournalEncryptionError)) return false;
  if (VALUE_REFUSALS.has(error.code)) return true;
  return error.code === "provider_error" && (error.cause as { name?: unknown })?.name === "InvalidCiphertextException";
}

function closed(): JournalEncryptionError {
  return new JournalEncryptionError("codec_closed", "the journal codec was closed");
}

export class DataKeyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Uint8Array>>();
  readonly #refusals = new Map<string, Refusal>();
  readonly #options: DataKeyCacheOptions;
  #wiped = false;

  constructor(options: DataKeyCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached key, refreshed as most recently used; undefined when absent or expired. */
  get(id: string): Uint8Array | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAt <= this.#options.now()) return undefined;
    this.#entries.set(id, entry);
    return entry.key;
  }

  set(id: string, key: Uint8Array): void {
    if (this.#wiped) {
      key.fill(0);
      return;
    }
    this.#entries.delete(id);
    this.#entries.set(id, { key, expiresAt: this.#options.now() + this.#options.ttlMs });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /**
   * Returns the cached key or runs `load` once for all concurrent callers asking for `id`. A key
   * that arrives after `wipe` is zeroed and the callers get `codec_closed`.
   */
  getOrLoad(id: string, load: () => Promise<Uint8Array>): { hit: boolean; key: Promise<Uint8Array> } {
    if (this.#wiped) return { hit: false, key: Promise.reject(closed()) };
    const cached = this.get(id);
    if (cached !== undefined) return { hit: true, key: Promise.resolve(cached) };
    const refusal = this.#refusals.get(id);
    if (refusal !== undefined) {
      if (refusal.expiresAt > this.#options.now()) return { hit: false, key: Promise.reject(refusal.error) };
      this.#refusals.delete(id);
    }
    const pending = this.#inflight.get(id);
    if (pending !== undefined) return { hit: true, key: pending };
    const loading = load().then(
      (key) => {
        this.#inflight.delete(id);
        if (this.#wiped) {
          key.fill(0);
          throw closed();
        }
        this.set(id, key);
        return key;
      },
      (error: unknown) => {
        this.#inflight.delete(id);
        if (isLasting(error) && !this.#wiped) this.#refuse(id, error);
        throw error;
      },
    );
    this.#inflight.set(id, loading);
    return { hit: false, key: loading };
  }

  #refuse(id: string, error: JournalEncryptionError): void {
    const ttl = Math.min(REFUSAL_TTL_MS, this.#options.ttlMs);
    this.#refusals.set(id, { error, expiresAt: this.#options.now() + ttl });
    while (this.#refusals.size > this.#options.maxEntries) {
      this.#refusals.delete(this.#refusals.keys().next().value as string);
    }
  }

  /** Overwrites every cached key with zeros and forgets them; later arrivals are zeroed too. */
  wipe(): void {
    this.#wiped = true;
    for (const entry of this.#entries.values()) entry.key.fill(0);
    this.#entries.clear();
    this.#refusals.clear();
  }
}
