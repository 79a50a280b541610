import { describe, expect, it } from "vitest";
import { createJournalCodec, JournalEncryptionError, type KeyProvider, lazyJournalCodec } from "../src/index.js";
import { localProvider, text } from "./helpers.js";

/** A local provider whose generateDataKey fails `failures` times with `code`, then works. */
function flakyStart(failures: number, code: "provider_unavailable" | "provider_error" = "provider_unavailable") {
  const { provider: inner } = localProvider();
  const state = { calls: 0 };
  const provider: KeyProvider = {
    kind: "local",
    async generateDataKey() {
      if (state.calls++ < failures) throw new JournalEncryptionError(code, "KMS is down (test)");
      return inner.generateDataKey();
    },
    unwrapDataKey: (input) => inner.unwrapDataKey(input),
  };
  return { provider, state, inner };
}

describe("lazyJournalCodec", () => {
  it("hands the SDK a codec at once; a failed start fails those calls only and the next use starts again", async () => {
    const { provider, state } = flakyStart(2, "provider_error");
    const failures: string[] = [];
    const lazy = lazyJournalCodec(() => createJournalCodec({ keyProvider: provider }), {
      onStartFailed: (error) => failures.push(error.code),
    });
    expect(await lazy.provider()).toBe(lazy);
    expect(state.calls).toBe(0); // nothing happens until first use
    // An encode before any decode (a handler without input) fails its attempt but starts the codec,
    // so the attempt Restate retries finds it ready.
    expect(() => lazy.encode(text("x"))).toThrowError(
      expect.objectContaining({ code: "provider_unavailable" }) as never,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.calls).toBe(1);
    expect(failures).toEqual(["provider_error"]);
    await expect(lazy.ready()).rejects.toMatchObject({ code: "provider_error" });
    const codec = await lazy.ready();
    expect(lazy.started).toBe(true);
    expect(failures).toEqual(["provider_error", "provider_error"]);
    const sealed = lazy.encode(text("hello"));
    expect(new TextDecoder().decode(await lazy.decode(sealed))).toBe("hello");
    expect(await lazy.ready()).toBe(codec);
    expect(state.calls).toBe(3);
  });

  it("decode waits out transient start failures with backoff; concurrent callers share one start", async () => {
    const { provider, state, inner } = flakyStart(3);
    const writer = await createJournalCodec({ keyProvider: inner });
    const sealed = writer.encode(text("input"));
    const lazy = lazyJournalCodec(
      () => createJournalCodec({ keyProvider: provider, decodeRetry: { maxAttempts: 1 } }),
      { decodeWait: { initialDelayMs: 5, maxDelayMs: 20 } },
    );
    const decoded = await Promise.all([lazy.decode(sealed), lazy.decode(sealed)]);
    expect(decoded.map((d) => new TextDecoder().decode(d))).toEqual(["input", "input"]);
    expect(state.calls).toBe(4); // three failed starts, one good one, never two at once
  });

  it("ready(timeoutMs) gives up waiting while the start goes on; close() refuses everything after", async () => {
    const { provider: inner } = localProvider();
    let release: () => void = () => undefined;
    const slow: KeyProvider = {
      ...inner,
      kind: "local",
      generateDataKey: async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return inner.generateDataKey();
      },
    };
    const lazy = lazyJournalCodec(() => createJournalCodec({ keyProvider: slow }));
    await expect(lazy.ready(10)).rejects.toMatchObject({ code: "provider_unavailable", retryable: true });
    release();
    await lazy.ready(1000);
    expect(lazy.started).toBe(true);
    await expect(lazy.ready(-1)).resolves.toBeDefined(); // already started: no timer needed
    lazy.close();
    expect(() => lazy.encode(text("x"))).toThrowError(expect.objectContaining({ code: "codec_closed" }) as never);
    await expect(lazy.decode(text("x"))).rejects.toMatchObject({ code: "codec_closed" });
    expect(() => lazyJournalCodec("nope" as never)).toThrowError(
      expect.objectContaining({ code: "invalid_option" }) as never,
    );
  });

  it("a create that resolves with something other than a codec is a typed error, not a TypeError later", async () => {
    const lazy = lazyJournalCodec(async () => undefined as never);
    await expect(lazy.decode(text("x"))).rejects.toMatchObject({ code: "invalid_option" });
    await expect(lazy.ready()).rejects.toMatchObject({ code: "invalid_option" });
    expect(lazy.started).toBe(false);
  });

  it("close() refuses decodes and ready() waiting on a start that never settles, at once", async () => {
    const lazy = lazyJournalCodec(() => new Promise<never>(() => undefined));
    const decoding = lazy.decode(text("x"));
    const readying = lazy.ready();
    await new Promise((resolve) => setTimeout(resolve, 5));
    lazy.close();
    await expect(decoding).rejects.toMatchObject({ code: "codec_closed" });
    await expect(readying).rejects.toMatchObject({ code: "codec_closed" });
  });
});
