import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";

export interface RetryPolicy {
  /**
   * Total attempts including the first. Default `Infinity`: a transient outage (network, throttling)
   * is waited out rather than reported. Two facts of the Restate SDK make this the safe default:
   * it turns a failed *input* decode into a terminal error, and it may abandon a pending decode when
   * an attempt ends, so a rejection arriving later would be an unhandled rejection in the service
   * process. A waiting decode is bounded by Restate's attempt timeouts instead; the retried attempt
   * joins the same single-flight unwrap. Non-transient failures are still reported at once.
   */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 100 ms. */
  initialDelayMs?: number;
  /** Cap for a single delay. Default 5 000 ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
};

/** Delay before attempt `attempt + 1` (attempt counts from 1): exponential with ±25 % jitter. */
export function backoffDelay(policy: Required<RetryPolicy>, attempt: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** Runs `operation`, retrying only `provider_unavailable` failures, with exponential backoff. */
export async function withRetry<T>(
  policy: Required<RetryPolicy>,
  operation: () => Promise<T>,
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void,
  stopped?: () => boolean,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isJournalEncryptionError(error, "provider_unavailable")) throw error;
      if (stopped?.())
        throw new JournalEncryptionError(
          "codec_closed",
          "the journal codec was closed while waiting for the key provider",
        );
      const delayMs = backoffDelay(policy, attempt);
      onRetry?.(attempt, delayMs, error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * Settles like `operation`, or rejects with `provider_unavailable` once `timeoutMs` has passed. A key
 * provider call that never answers (a KMS endpoint that accepts the connection and stays silent:
 * the AWS SDK's default HTTP handler has no request timeout) would otherwise hold a single-flight
 * unwrap, the first start or a rotation for the life of the process. A result arriving after the
 * deadline goes to `discard`, which wipes the key it carries.
 */
export function withDeadline<T>(
  operation: () => Promise<T>,
  timeoutMs: number,
  what: string,
  discard: (late: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(
        new JournalEncryptionError(
          "provider_unavailable",
          `${what}: the key provider did not answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    let running: Promise<T>;
    try {
      running = operation();
    } catch (error) {
      running = Promise.reject(error);
    }
    Promise.resolve(running).then(
      (value) => {
        if (expired) {
          discard(value);
          return;
        }
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (expired) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
