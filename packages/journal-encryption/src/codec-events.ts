import type { CryptoBackend } from "./aes-gcm.js";
import type { ProviderKind } from "./envelope.js";
import type { JournalEncryptionError } from "./errors.js";

/** What `onEvent` receives. Events never carry key material or values. */
export type JournalCodecEvent =
  | { type: "data-key-generated"; keyId: string; initial: boolean; durationMs: number }
  | { type: "data-key-activated"; keyId: string }
  | {
      type: "data-key-generation-failed";
      error: JournalEncryptionError;
      consecutiveFailures: number;
      retryInMs: number;
    }
  | { type: "data-key-exhausted"; keyId: string; uses: number; ageMs: number }
  | { type: "data-key-unwrapped"; keyId: string; durationMs: number }
  | { type: "unwrap-retry"; keyId: string; attempt: number; delayMs: number; error: JournalEncryptionError }
  | { type: "plaintext-passed-through"; length: number };

/** A snapshot of a codec's counters. */
export interface JournalCodecStats {
  /** The AES-GCM implementation in use: `"node"` (native) or `"noble"`. */
  readonly crypto: CryptoBackend;
  readonly provider: ProviderKind;
  readonly activeKey: { readonly keyId: string; readonly uses: number; readonly ageMs: number };
  /** True when a rotated key is ready and waits for the active one to reach its limit. */
  readonly nextKeyReady: boolean;
  readonly encoded: number;
  readonly decoded: number;
  readonly plaintextPassedThrough: number;
  /** Values of Restate's reference codec decoded (with `readReferenceFormat`). */
  readonly referenceDecoded: number;
  readonly emptyPassedThrough: number;
  /** Successful `generateDataKey` calls after the first one. */
  readonly rotations: number;
  readonly rotationFailures: number;
  /** Provider unwrap calls (one per distinct data key, unless evicted or expired). */
  readonly unwraps: number;
  readonly unwrapFailures: number;
  readonly cacheHits: number;
  readonly cacheEntries: number;
}
