/**
 * A serverless-safe start for the journal codec. The Restate SDK calls `journalValueCodecProvider`
 * once per endpoint and keeps the promise: handing it `createJournalCodec(…)` directly means one KMS
 * failure at a cold start breaks that execution environment (Lambda container, Vercel function
 * instance, Worker isolate) for its whole life. `lazyJournalCodec` gives the SDK a codec at once and
 * creates the real one on first use, starting again after a failed start.
 */
import type { JournalCodec } from "./codec.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

/** Options of `lazyJournalCodec`. */
export interface LazyJournalCodecOptions {
  /** Sees each failed start (for logs and metrics); the next use starts again. */
  onStartFailed?: (error: JournalEncryptionError) => void;
  /**
   * How `decode` waits while starts fail transiently (`provider_unavailable`): 100 ms doubling to
   * 5 s, until a start succeeds (the Restate SDK turns a failed input decode into a terminal error,
   * so waiting — bounded by Restate's attempt timeouts — is the safe default). A start failing for
   * any other reason rejects the decode at once.
   */
  decodeWait?: RetryPolicy;
}

/** What `lazyJournalCodec` returns: a codec for the SDK plus control over its start. */
export interface LazyJournalCodec {
  /**
   * Seals with the started codec. Before the first successful start it starts the codec in the
   * background and throws `provider_unavailable` (retryable: Restate retries the attempt). Usually
   * an invocation decodes its input first, and `decode` waits for the start.
   */
  encode(value: Uint8Array): Uint8Array;
  /**
   * Waits for the codec (starting it, and starting it again after a transient failure, with
   * backoff), then decodes.
   */
  decode(value: Uint8Array): Promise<Uint8Array>;
  /** For `journalValueCodecProvider`: resolves at once with this object, never with a failure. */
  readonly provider: () => Promise<LazyJournalCodec>;
  /**
   * Starts the codec (or starts it again after a failed start) and resolves with it. With
   * `timeoutMs`, rejects with `provider_unavailable` after that long while the start goes on, so the
   * next call finds it further along. A failed start rejects with its error.
   */
  ready(timeoutMs?: number): Promise<JournalCodec>;
  /** True once a start succeeded. */
  readonly started: boolean;
  /** Closes the started codec (if any) and refuses every later call with `codec_closed`. */
  close(): void;
}

function asStartError(error: unknown): JournalEncryptionError {
  if (isJournalEncryptionError(error)) return error;
  return new JournalEncryptionError("provider_error", "creating the journal codec failed", { cause: error });
}

/**
 * Creates the codec on first use and again after a failed start, so a key provider that fails at a
 * cold start (KMS unreachable, throttled, a missing permission fixed later) fails those calls only.
 *
 * @example
 * ```ts
 * import * as restate from "@restatedev/restate-sdk/fetch";
 * import { createJournalCodec, lazyJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
 *
 * const codec = lazyJournalCodec(() =>
 *   createJournalCodec({
 *     keyProvider: localKeyProvider({ keys: { k1: process.env.JOURNAL_KEY ?? "" }, activeKeyId: "k1" }),
 *   }),
 * );
 * const greeter = restate.service({ name: "greeter", handlers: { greet: async () => "hi" } });
 * export const handler = restate.createEndpointHandler({
 *   services: [greeter],
 *   journalValueCodecProvider: codec.provider,
 * });
 * ```
 */
export function lazyJournalCodec(
  create: () => Promise<JournalCodec>,
  options: LazyJournalCodecOptions = {},
): LazyJournalCodec {
  if (typeof create !== "function") {
    throw new JournalEncryptionError("invalid_option", "lazyJournalCodec: create must be a function returning a codec");
  }
  let codec: JournalCodec | undefined;
  let starting: Promise<JournalCodec> | undefined;
  let closed = false;
  const wait = {
    maxAttempts: options.decodeWait?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: options.decodeWait?.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: options.decodeWait?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };

  const closedError = () => new JournalEncryptionError("codec_closed", "the journal codec was closed");
  // Rejects at close(): a decode or ready() waiting on a start that has not settled (a provider that
  // keeps failing transiently, or never answers) is refused at once instead of waiting on.
  let signalClosed: (error: JournalEncryptionError) => void = () => undefined;
  const closing = new Promise<never>((_, reject) => {
    signalClosed = reject;
  });
  closing.catch(() => undefined);

  const start = (): Promise<JournalCodec> => {
    if (closed) return Promise.reject(closedError());
    if (codec !== undefined) return Promise.resolve(codec);
    starting ??= Promise.resolve()
      .then(create)
      .then(
        (created: JournalCodec) => {
          if (
            typeof created?.encode !== "function" ||
            typeof created.decode !== "function" ||
            typeof created.close !== "function"
          ) {
            starting = undefined;
            throw new JournalEncryptionError(
              "invalid_option",
              "lazyJournalCodec: create must resolve with a journal codec (createJournalCodec(…))",
            );
          }
          if (closed) {
            created.close();
            throw closedError();
          }
          codec = created;
          return created;
        },
        (error: unknown) => {
          starting = undefined;
          const typed = asStartError(error);
          try {
            options.onStartFailed?.(typed);
          } catch {
            // An observer must never change the outcome.
          }
          throw typed;
        },
      );
    return starting;
  };

  const ready = async (timeoutMs?: number): Promise<JournalCodec> => {
    const started = start();
    started.catch(() => undefined);
    const creating = codec !== undefined ? started : Promise.race([started, closing]);
    if (codec !== undefined || timeoutMs === undefined) return creating;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new JournalEncryptionError("invalid_option", `ready: timeoutMs must be ≥ 0, got ${timeoutMs}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new JournalEncryptionError(
              "provider_unavailable",
              `the journal codec was not ready within ${timeoutMs} ms (its first data key is still being requested)`,
            ),
          ),
        timeoutMs,
      );
    });
    // The start goes on after a timeout; its failure must not become an unhandled rejection.
    creating.catch(() => undefined);
    try {
      return await Promise.race([creating, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** Starts, and after a transient failure starts again with backoff, until it works or is closed. */
  const startPatiently = async (): Promise<JournalCodec> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        const transient = isJournalEncryptionError(error, "provider_unavailable");
        if (!transient || closed || attempt >= wait.maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(wait, attempt)));
      }
    }
  };

  const lazy: LazyJournalCodec = {
    encode(value) {
      if (closed) throw closedError();
      if (codec === undefined) {
        // A handler without input may encode before anything decoded: start now, so the attempt
        // Restate retries finds the codec ready.
        start().catch(() => undefined);
        throw new JournalEncryptionError(
          "provider_unavailable",
          "the journal codec is not ready: its first data key has not been generated yet",
        );
      }
      return codec.encode(value);
    },
    decode(value) {
      if (codec !== undefined) return codec.decode(value);
      return Promise.race([startPatiently(), closing]).then((started) => started.decode(value));
    },
    provider: () => Promise.resolve(lazy),
    ready,
    get started() {
      return codec !== undefined;
    },
    close() {
      closed = true;
      signalClosed(closedError());
      codec?.close();
    },
  };
  return lazy;
}
