export interface WaitForOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** Which statuses count as ready. Default: any 2xx. */
  accept?: (status: number) => boolean;
  /** Called on timeout to add context (e.g. a server log tail) to the error. */
  describeFailure?: () => string;
}

export class WaitTimeoutError extends Error {
  readonly code = "wait_timeout";
}

/** Polls `url` with GET until it answers with an accepted status, or fails after `timeoutMs`. */
export async function waitFor(url: string, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const accept = options.accept ?? ((status) => status >= 200 && status < 300);
  const deadline = Date.now() + timeoutMs;
  let last = "no attempt made";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.max(250, intervalMs * 5)) });
      await response.body?.cancel();
      if (accept(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await sleep(intervalMs);
  }
  const extra = options.describeFailure?.();
  throw new WaitTimeoutError(`${url} was not ready after ${timeoutMs} ms (last: ${last})${extra ? `\n${extra}` : ""}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads until `accept` holds, every 200 ms, for at most `timeoutMs`; then fails with the last value.
 * For state that a real server applies asynchronously (an invocation's status, a modified state).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met, last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
