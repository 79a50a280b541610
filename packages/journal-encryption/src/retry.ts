import { isJournalEncryptionError } from "./errors.js";

export interface RetryPolicy {
  /**
   * Total attempts including the first. Default 10: with the delays below a transient outage of
   * about 20 s is ridden out inside one `decode` (the SDK turns a failed *input* decode into a
   * terminal error, so waiting here is what keeps such invocations alive).
   */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 100 ms. */
  initialDelayMs?: number;
  /** Cap for a single delay. Default 5 000 ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 5_000 };

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
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isJournalEncryptionError(error, "provider_unavailable")) throw error;
      const delayMs = backoffDelay(policy, attempt);
      onRetry?.(attempt, delayMs, error);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
