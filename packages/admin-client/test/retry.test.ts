import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter, resolveRetry } from "../src/retry.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);

describe("backoffDelay", () => {
  it("stays within [0, min(maxDelay, initial·2^(attempt-1))] and respects Retry-After up to maxDelay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, initialDelayMs, maxDelayMs, retryAfter, random) => {
          const retry = resolveRetry({ initialDelayMs, maxDelayMs });
          const delay = backoffDelay(attempt, retry, retryAfter, () => random);
          const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.max(ceiling, retryAfter === undefined ? 0 : maxDelayMs));
          if (retryAfter !== undefined) expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter, maxDelayMs));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("is jittered: different random draws give different delays", () => {
    const retry = resolveRetry({ initialDelayMs: 100, maxDelayMs: 10_000 });
    expect(backoffDelay(3, retry, undefined, () => 0)).toBe(0);
    expect(backoffDelay(3, retry, undefined, () => 0.5)).toBe(200);
    expect(backoffDelay(20, retry, undefined, () => 0.5)).toBe(5000);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and ignores anything else", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).toBeUndefined();
    expect(parseRetryAfter("-1")).toBeUndefined();
  });
});

describe("resolveRetry", () => {
  it("fills defaults, and false means one attempt", () => {
    expect(resolveRetry(undefined)).toEqual({
      maxAttempts: 4,
      initialDelayMs: 200,
      maxDelayMs: 5000,
      budgetMs: 30_000,
    });
    expect(resolveRetry(false).maxAttempts).toBe(1);
  });
  it("rejects nonsense", () => {
    expect(() => resolveRetry({ maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => resolveRetry({ budgetMs: -1 })).toThrow(/budgetMs/);
    expect(() => resolveRetry({ initialDelayMs: Number.NaN })).toThrow(/initialDelayMs/);
    // A timer beyond 2^31-1 ms fires after 1 ms: a long backoff would become a retry storm.
    expect(() => resolveRetry({ maxDelayMs: 3e9 })).toThrow(/at most/);
  });
});
