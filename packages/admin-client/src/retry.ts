/** How failed requests are repeated. Defaults: 4 attempts, 200 ms doubling to at most 5 s, 30 s budget. */
export interface RetryOptions {
  /** Total attempts including the first. `1` disables retries. Default 4. */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 200 ms. */
  initialDelayMs?: number;
  /** Upper bound of a single delay. Default 5000 ms. */
  maxDelayMs?: number;
  /** No new attempt starts after this much time has passed since the first one. Default 30 000 ms. */
  budgetMs?: number;
}

export type ResolvedRetry = Required<RetryOptions>;

/**
 * The longest delay a timer can wait: a longer one fires after 1 ms in Node, browsers and workerd,
 * which would turn a long timeout into an immediate one and a long backoff into a retry storm.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  if (options === false) return { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0, budgetMs: 0 };
  const resolved = {
    maxAttempts: options?.maxAttempts ?? 4,
    initialDelayMs: options?.initialDelayMs ?? 200,
    maxDelayMs: options?.maxDelayMs ?? 5000,
    budgetMs: options?.budgetMs ?? 30_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${name} must be a non-negative number`);
  }
  if (resolved.initialDelayMs > MAX_TIMER_MS || resolved.maxDelayMs > MAX_TIMER_MS) {
    throw new RangeError(`retry delays must be at most ${MAX_TIMER_MS} ms`);
  }
  if (resolved.maxAttempts < 1 || !Number.isInteger(resolved.maxAttempts)) {
    throw new RangeError("retry.maxAttempts must be an integer ≥ 1");
  }
  return resolved;
}

/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(max, initial·2^(attempt-1))],
 * never below a server's `Retry-After`. `attempt` is the number of attempts already made (≥ 1).
 */
export function backoffDelay(
  attempt: number,
  retry: ResolvedRetry,
  retryAfterMs: number | undefined = undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.min(retry.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** `Retry-After` as milliseconds (seconds form only; HTTP-date is ignored). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
