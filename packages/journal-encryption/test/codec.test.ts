import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import {
  createJournalCodec,
  detectCrypto,
  inspectEnvelope,
  type JournalCodecEvent,
  JournalEncryptionError,
  type KeyProvider,
  localKeyProvider,
} from "../src/index.js";
import { controllableProvider, localProvider, RUNS, text } from "./helpers.js";

const unavailable = () => new JournalEncryptionError("provider_unavailable", "test: provider down");

describe("createJournalCodec", () => {
  it("round-trips values from 0 B to 1 MiB on both backends, and each decodes the other's output", async () => {
    const { keys } = localProvider(["k1"]);
    const node = await createJournalCodec({
      keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }),
      crypto: "node",
    });
    const noble = await createJournalCodec({
      keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }),
      crypto: "noble",
    });
    expect(node.stats().crypto).toBe("node");
    expect(noble.stats().crypto).toBe("noble");
    expect(detectCrypto()).toBe("node");
    for (const size of [0, 1, 15, 16, 17, 64, 1024, 65_536, 1024 * 1024]) {
      const value = randomBytes(size);
      const fromNode = node.encode(value);
      const fromNoble = noble.encode(value);
      expect(fromNode.length).toBe(fromNoble.length);
      expect(await node.decode(fromNode)).toEqual(value);
      expect(await noble.decode(fromNode)).toEqual(value);
      expect(await node.decode(fromNoble)).toEqual(value);
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (value) => {
        expect(await noble.decode(node.encode(value))).toEqual(value);
      }),
      { numRuns: RUNS },
    );
  });

  it("uses a fresh nonce per value and never emits an empty or plaintext-bearing value", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    const a = codec.encode(text("same value"));
    const b = codec.encode(text("same value"));
    expect(a).not.toEqual(b);
    expect(codec.encode(new Uint8Array(0)).length).toBeGreaterThan(16);
    expect(Buffer.from(a).includes("same value")).toBe(false);
  });

  it("refuses plaintext and empty values unless allowed", async () => {
    const { provider } = localProvider();
    const strict = await createJournalCodec({ keyProvider: provider });
    await expect(strict.decode(text('{"legacy":true}'))).rejects.toMatchObject({ code: "not_encrypted" });
    await expect(strict.decode(new Uint8Array(0))).rejects.toMatchObject({ code: "not_encrypted" });
    const migrating = await createJournalCodec({ keyProvider: provider, allowPlaintext: true });
    expect(await migrating.decode(text('{"legacy":true}'))).toEqual(text('{"legacy":true}'));
    expect(await migrating.decode(new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(await migrating.decode(migrating.encode(text("new")))).toEqual(text("new"));
    expect(migrating.stats().plaintextPassedThrough).toBe(1);
    const emptyOnly = await createJournalCodec({ keyProvider: provider, allowEmpty: true });
    expect(await emptyOnly.decode(new Uint8Array(0))).toEqual(new Uint8Array(0));
    await expect(emptyOnly.decode(text("{}"))).rejects.toMatchObject({ code: "not_encrypted" });
  });

  it("refuses values sealed under another key or an unknown key id", async () => {
    const a = await createJournalCodec({ keyProvider: localProvider(["k1"]).provider });
    const b = await createJournalCodec({ keyProvider: localProvider(["k1"]).provider });
    const c = await createJournalCodec({ keyProvider: localProvider(["other"]).provider });
    const sealed = a.encode(text("for a only"));
    await expect(b.decode(sealed)).rejects.toMatchObject({ code: "authentication_failed" });
    await expect(c.decode(sealed)).rejects.toMatchObject({ code: "unknown_key" });
  });

  it("local rotation: switching activeKeyId keeps old values decodable", async () => {
    const { keys } = localProvider(["2026-01", "2026-06"]);
    const before = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "2026-01" }) });
    const old = before.encode(text("old"));
    const after = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "2026-06" }) });
    expect(after.stats().activeKey.keyId).toBe("2026-06");
    expect(await after.decode(old)).toEqual(text("old"));
    const onlyNew = localKeyProvider({ keys: { "2026-06": keys["2026-06"] as string }, activeKeyId: "2026-06" });
    await expect((await createJournalCodec({ keyProvider: onlyNew })).decode(old)).rejects.toMatchObject({
      code: "unknown_key",
    });
  });

  it("rotates by use count in the background: one generateDataKey per rotation, encode never waits", async () => {
    const { provider, state } = controllableProvider(localProvider().provider);
    const events: JournalCodecEvent[] = [];
    const codec = await createJournalCodec({
      keyProvider: provider,
      dataKeyMaxUses: 8,
      onEvent: (e) => events.push(e),
    });
    expect(state.generate).toBe(1);
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) sealed.push(codec.encode(text(`v${i}`)));
    expect(state.generate).toBe(2); // started at 75 % (6 of 8 uses)
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(codec.stats().nextKeyReady).toBe(true);
    for (let i = 6; i < 8; i++) sealed.push(codec.encode(text(`v${i}`)));
    const keyHeaderLength = inspectEnvelope(sealed[0] as Uint8Array).headerLength - 12;
    const firstKeyHeader = Buffer.from(sealed[0] as Uint8Array).subarray(0, keyHeaderLength);
    expect(Buffer.from(sealed[7] as Uint8Array).subarray(0, keyHeaderLength)).toEqual(firstKeyHeader);
    const ninth = codec.encode(text("v8"));
    expect(Buffer.from(ninth).subarray(0, keyHeaderLength)).not.toEqual(firstKeyHeader);
    expect(events.filter((e) => e.type === "data-key-activated")).toHaveLength(1);
    expect(codec.stats()).toMatchObject({ rotations: 1, encoded: 9, activeKey: { uses: 1 } });
    for (const [i, value] of sealed.entries()) expect(await codec.decode(value)).toEqual(text(`v${i}`));
    expect(state.unwrap).toBe(0); // own keys are cached
  });

  it("rotates by age, and a failing provider keeps the current key until the hard limit", async () => {
    let now = 1_000_000;
    const { provider, state } = controllableProvider(localProvider().provider);
    const events: JournalCodecEvent[] = [];
    const codec = await createJournalCodec({
      keyProvider: provider,
      dataKeyMaxAgeMs: 1000,
      dataKeyHardMaxAgeMs: 5000,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    state.failWith = unavailable();
    now += 1100;
    const during = codec.encode(text("still fine"));
    await new Promise((r) => setTimeout(r, 0));
    expect(codec.stats().rotationFailures).toBe(1);
    expect(events.some((e) => e.type === "data-key-generation-failed")).toBe(true);
    now += 3000;
    codec.encode(text("still within the hard limit"));
    now += 1000;
    expect(() => codec.encode(text("too late"))).toThrowError(expect.objectContaining({ code: "data_key_exhausted" }));
    state.failWith = undefined;
    // The SDK fails the attempt; Restate retries it and the retry's input decode waits for one
    // rotation attempt once the provider's backoff has elapsed.
    now += 30_000;
    expect(await codec.decode(during)).toEqual(text("still fine"));
    const recovered = codec.encode(text("after recovery"));
    expect(await codec.decode(recovered)).toEqual(text("after recovery"));
    expect(await codec.decode(during)).toEqual(text("still fine"));
    expect(events.some((e) => e.type === "data-key-exhausted")).toBe(true);
  });

  it("decode waits for one rotation attempt when the key has outlived its hard limit (idle process)", async () => {
    let now = 0;
    const { provider, state } = controllableProvider(localProvider().provider);
    const codec = await createJournalCodec({
      keyProvider: provider,
      dataKeyMaxAgeMs: 10,
      dataKeyHardMaxAgeMs: 20,
      now: () => now,
    });
    const sealed = codec.encode(text("x"));
    now = 1000;
    expect(await codec.decode(sealed)).toEqual(text("x"));
    expect(state.generate).toBe(2);
    expect(codec.encode(text("y")).length).toBeGreaterThan(0);
  });

  it("unwraps each foreign data key once, single-flight, and retries transient failures", async () => {
    const { keys } = localProvider(["k1"]);
    const writer = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) });
    const values = Array.from({ length: 20 }, (_, i) => writer.encode(text(`value ${i}`)));
    const { provider, state } = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    state.unwrapDelayMs = 20;
    const reader = await createJournalCodec({ keyProvider: provider, decodeRetry: { initialDelayMs: 5 } });
    const decoded = await Promise.all(values.map((v) => reader.decode(v)));
    expect(decoded.map((d) => new TextDecoder().decode(d))).toEqual(values.map((_, i) => `value ${i}`));
    expect(state.unwrap).toBe(1);
    expect(reader.stats()).toMatchObject({ unwraps: 1, cacheEntries: 2 });

    const other = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) });
    let failures = 2;
    const flaky = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    const original = flaky.provider.unwrapDataKey;
    flaky.provider.unwrapDataKey = async (input) => {
      if (failures-- > 0) throw unavailable();
      return original(input);
    };
    const retrying = await createJournalCodec({ keyProvider: flaky.provider, decodeRetry: { initialDelayMs: 1 } });
    expect(await retrying.decode(other.encode(text("ok")))).toEqual(text("ok"));
    expect(flaky.state.unwrap).toBe(1);
    expect(retrying.stats().unwraps).toBe(3);

    const down = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    const giveUp = await createJournalCodec({
      keyProvider: down.provider,
      decodeRetry: { initialDelayMs: 1, maxAttempts: 3 },
    });
    down.state.failWith = unavailable();
    await expect(giveUp.decode(other.encode(text("x")))).rejects.toMatchObject({ code: "provider_unavailable" });
    expect(down.state.unwrap).toBe(3);
  });

  it("by default decode waits out transient provider failures (no rejection to abandon), and close() ends the wait", async () => {
    const { keys } = localProvider(["k1"]);
    const writer = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) });
    const sealed = writer.encode(text("patience"));
    const flaky = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    const reader = await createJournalCodec({
      keyProvider: flaky.provider,
      decodeRetry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    flaky.state.failWith = unavailable();
    const pending = reader.decode(sealed);
    // Far past any small fixed budget, still waiting (polled: a loaded machine runs fewer attempts per
    // 150 ms; a decode that gave up would leave this loop to the test timeout).
    while (flaky.state.unwrap <= 6) await new Promise((r) => setTimeout(r, 10));
    flaky.state.failWith = undefined;
    expect(await pending).toEqual(text("patience"));

    const closing = await createJournalCodec({
      keyProvider: flaky.provider,
      decodeRetry: { initialDelayMs: 5, maxDelayMs: 5 },
    });
    flaky.state.failWith = unavailable();
    const abandoned = closing.decode(writer.encode(text("x")));
    await new Promise((r) => setTimeout(r, 30));
    closing.close();
    await expect(abandoned).rejects.toMatchObject({ code: "codec_closed" });
    await expect(
      createJournalCodec({ keyProvider: flaky.provider, decodeRetry: { maxAttempts: 0 } }),
    ).rejects.toMatchObject({
      code: "invalid_option",
    });
  });

  it("the decrypt cache is bounded (LRU) and expires by TTL", async () => {
    let now = 0;
    const { keys } = localProvider(["k1"]);
    const writers = await Promise.all(
      [1, 2, 3].map(() => createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) })),
    );
    const sealed = writers.map((w, i) => w.encode(text(`w${i}`)));
    const { provider, state } = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    const reader = await createJournalCodec({
      keyProvider: provider,
      decryptCache: { maxEntries: 2, ttlMs: 100 },
      now: () => now,
    });
    for (const value of sealed) await reader.decode(value as Uint8Array);
    expect(state.unwrap).toBe(3);
    expect(reader.stats().cacheEntries).toBe(2);
    await reader.decode(sealed[2] as Uint8Array);
    expect(state.unwrap).toBe(3);
    await reader.decode(sealed[0] as Uint8Array);
    expect(state.unwrap).toBe(4);
    now += 101;
    await reader.decode(sealed[0] as Uint8Array);
    expect(state.unwrap).toBe(5);
  });

  it("remembers a refusal of the value for a minute at most; transient and fixable failures never", async () => {
    let now = 0;
    const { keys } = localProvider(["k1"]);
    const writer = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) });
    const sealed = writer.encode(text("x"));
    const { provider, state } = controllableProvider(localKeyProvider({ keys, activeKeyId: "k1" }));
    const reader = await createJournalCodec({ keyProvider: provider, decodeRetry: { maxAttempts: 1 }, now: () => now });
    state.failWith = unavailable();
    for (let i = 0; i < 2; i++)
      await expect(reader.decode(sealed)).rejects.toMatchObject({ code: "provider_unavailable" });
    expect(state.unwrap).toBe(2);
    // A refusal an operator fixes (a disabled key) is asked again on every read…
    state.failWith = new JournalEncryptionError("provider_error", "test: the KMS key is disabled");
    for (let i = 0; i < 2; i++) await expect(reader.decode(sealed)).rejects.toMatchObject({ code: "provider_error" });
    expect(state.unwrap).toBe(4);
    // …a refusal of the value is not.
    state.failWith = new JournalEncryptionError("key_not_allowed", "test: not an allowed key");
    for (let i = 0; i < 3; i++) await expect(reader.decode(sealed)).rejects.toMatchObject({ code: "key_not_allowed" });
    expect(state.unwrap).toBe(5);
    state.failWith = undefined;
    now += 60_000;
    expect(await reader.decode(sealed)).toEqual(text("x"));
    expect(state.unwrap).toBe(6);
  });

  it("validates options with precise messages", async () => {
    const { provider } = localProvider();
    await expect(createJournalCodec({ keyProvider: provider, dataKeyMaxUses: 2 ** 32 + 1 })).rejects.toThrow(
      /dataKeyMaxUses must be at most 4294967296/,
    );
    await expect(createJournalCodec({ keyProvider: provider, dataKeyHardMaxUses: 2 ** 32 + 1 })).rejects.toThrow(
      /dataKeyHardMaxUses must be at most/,
    );
    await expect(
      createJournalCodec({ keyProvider: provider, dataKeyMaxUses: 10, dataKeyHardMaxUses: 5 }),
    ).rejects.toThrow(/dataKeyHardMaxUses must be ≥ dataKeyMaxUses/);
    await expect(createJournalCodec({ keyProvider: provider, dataKeyMaxAgeMs: 0 })).rejects.toMatchObject({
      code: "invalid_option",
    });
    await expect(createJournalCodec({ keyProvider: undefined as never })).rejects.toMatchObject({
      code: "invalid_option",
    });
    for (const [option, words] of [
      [{ crypto: "webcrypto" }, /crypto must be "auto", "node" or "noble"/],
      [{ envelopeVersion: 3 }, /envelopeVersion must be 1 or 2/],
      [{ readReferenceFormat: "yes" }, /readReferenceFormat must be a boolean/],
      [{ readReferenceFormat: true }, /readReferenceFormat needs kmsKeyProvider/],
      [{ now: 5 }, /now must be a function returning epoch milliseconds/],
    ] as const) {
      await expect(createJournalCodec({ keyProvider: provider, ...(option as object) })).rejects.toMatchObject({
        code: "invalid_option",
        retryable: false,
        message: expect.stringMatching(words),
      });
    }
    await expect(createJournalCodec({ keyProvider: provider, crypto: "webcrypto" as never })).rejects.toMatchObject({
      code: "invalid_option",
    });
    const defaults = await createJournalCodec({ keyProvider: provider });
    expect(defaults.stats().activeKey.uses).toBe(0);
  });

  it("fails creation with the provider's typed error, and rejects use after close", async () => {
    const { provider, state } = controllableProvider(localProvider().provider);
    state.failWith = new JournalEncryptionError("provider_error", "test: key disabled");
    await expect(createJournalCodec({ keyProvider: provider })).rejects.toMatchObject({ code: "provider_error" });
    state.failWith = undefined;
    const codec = await createJournalCodec({ keyProvider: provider });
    const sealed = codec.encode(text("x"));
    codec.close();
    expect(() => codec.encode(text("x"))).toThrowError(expect.objectContaining({ code: "codec_closed" }));
    await expect(codec.decode(sealed)).rejects.toMatchObject({ code: "codec_closed" });
  });

  it("rejects non-Uint8Array input and values from another provider kind", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    expect(() => codec.encode("text" as never)).toThrowError(expect.objectContaining({ code: "invalid_option" }));
    const inner = localProvider().provider;
    const kmsKind = await createJournalCodec({ keyProvider: { ...inner, kind: "aws-kms" } });
    const kmsLike = kmsKind.encode(text("x"));
    expect(inspectEnvelope(kmsLike)).toMatchObject({ version: 2, provider: "aws-kms", keyId: undefined });
    await expect(codec.decode(kmsLike)).rejects.toMatchObject({ code: "wrong_provider" });
    const v1 = await createJournalCodec({ keyProvider: localProvider().provider, envelopeVersion: 1 });
    const kmsLikeV1 = v1.encode(text("x"));
    kmsLikeV1[5] = 2; // version 1 provider byte → aws-kms
    await expect(v1.decode(kmsLikeV1)).rejects.toMatchObject({ code: "wrong_provider" });
  });

  it("close() during an in-flight unwrap: the decode rejects and the late data key is zeroed, not cached", async () => {
    const { provider: inner } = localProvider();
    const writer = await createJournalCodec({ keyProvider: inner });
    const sealed = writer.encode(text("secret"));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: Uint8Array[] = [];
    const slow: KeyProvider = {
      kind: "local",
      generateDataKey: () => inner.generateDataKey(),
      async unwrapDataKey(input) {
        const key = await inner.unwrapDataKey(input);
        delivered.push(key);
        await gate;
        return key;
      },
    };
    const reader = await createJournalCodec({ keyProvider: slow });
    const pending = reader.decode(sealed);
    const second = reader.decode(sealed); // joins the same single-flight unwrap
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(delivered).toHaveLength(1);
    reader.close();
    release();
    await expect(pending).rejects.toMatchObject({ code: "codec_closed" });
    await expect(second).rejects.toMatchObject({ code: "codec_closed" });
    expect([...(delivered[0] as Uint8Array)].every((byte) => byte === 0)).toBe(true);
    expect(reader.stats().cacheEntries).toBe(0);
  });

  it("close() during a rotation: the late data key is zeroed and never used", async () => {
    const { provider: inner } = localProvider();
    let release: () => void = () => undefined;
    const generated: Uint8Array[] = [];
    let calls = 0;
    const slow: KeyProvider = {
      kind: "local",
      async generateDataKey() {
        const dataKey = await inner.generateDataKey();
        if (calls++ === 0) return dataKey;
        generated.push(dataKey.plaintextKey);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return dataKey;
      },
      unwrapDataKey: (input) => inner.unwrapDataKey(input),
    };
    const codec = await createJournalCodec({ keyProvider: slow, dataKeyMaxUses: 4 });
    for (let i = 0; i < 3; i++) codec.encode(text("v")); // 75 % → rotation starts
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(generated).toHaveLength(1);
    codec.close();
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([...(generated[0] as Uint8Array)].every((byte) => byte === 0)).toBe(true);
    expect(codec.stats().nextKeyReady).toBe(false);
    expect(() => codec.encode(text("v"))).toThrowError(expect.objectContaining({ code: "codec_closed" }));
  });

  it("a provider call that never answers wedges nothing: decodes, start and rotation retry; late keys are wiped", async () => {
    const { provider: inner } = localProvider();
    const writer = await createJournalCodec({ keyProvider: inner });
    const sealed = writer.encode(text("secret"));
    const late: Uint8Array[] = [];
    const releases: Array<() => void> = [];
    const plan = { generate: [true], unwrap: [true] }; // which calls hang: the first start, the first unwrap
    const hang = async <T>(value: T, key: Uint8Array) => {
      late.push(key);
      await new Promise<void>((resolve) => releases.push(resolve));
      return value;
    };
    const silent: KeyProvider = {
      kind: "local",
      async generateDataKey() {
        const dataKey = await inner.generateDataKey();
        return plan.generate.shift() ? hang(dataKey, dataKey.plaintextKey) : dataKey;
      },
      async unwrapDataKey(input) {
        const key = await inner.unwrapDataKey(input);
        return plan.unwrap.shift() ? hang(key, key) : key;
      },
    };
    const events: JournalCodecEvent[] = [];
    const codec = await createJournalCodec({
      keyProvider: silent,
      providerTimeoutMs: 100,
      decodeRetry: { initialDelayMs: 1, maxDelayMs: 1 },
      dataKeyMaxUses: 4,
      onEvent: (event) => events.push(event),
    });
    // The first start timed out once and was retried.
    expect(late).toHaveLength(1);
    // Two decodes share the hung unwrap; after the deadline they retry and succeed.
    const [a, b] = await Promise.all([codec.decode(sealed), codec.decode(sealed)]);
    expect(a).toEqual(text("secret"));
    expect(b).toEqual(text("secret"));
    expect(events.filter((e) => e.type === "unwrap-retry").length).toBeGreaterThanOrEqual(1);
    // Rotation: the attempt hangs and is given up after the deadline (a failure, so backoff retries it).
    plan.generate.push(true);
    for (let i = 0; i < 3; i++) codec.encode(text("v"));
    while (codec.stats().rotationFailures === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(codec.stats().rotations).toBe(0);
    for (const release of releases) release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Every key that arrived after its deadline was wiped, never used.
    expect(late.length).toBeGreaterThanOrEqual(3);
    for (const key of late) expect(key.every((byte) => byte === 0)).toBe(true);
    codec.close();
    for (const providerTimeoutMs of [0, 1.5, 2 ** 31]) {
      await expect(createJournalCodec({ keyProvider: inner, providerTimeoutMs })).rejects.toMatchObject({
        code: "invalid_option",
        message: expect.stringContaining("providerTimeoutMs"),
      });
    }
  });

  it("takes ownership of the provider's data-key array and wipes it once copied", async () => {
    const { provider: inner } = localProvider();
    const handed: Uint8Array[] = [];
    const codec = await createJournalCodec({
      keyProvider: {
        kind: "local",
        async generateDataKey() {
          const dataKey = await inner.generateDataKey();
          handed.push(dataKey.plaintextKey);
          return dataKey;
        },
        unwrapDataKey: (input) => inner.unwrapDataKey(input),
      },
    });
    expect(await codec.decode(codec.encode(text("x")))).toEqual(text("x"));
    expect(handed).toHaveLength(1);
    expect(handed[0]?.every((byte) => byte === 0)).toBe(true);
    codec.close();
  });

  it("close() rejects decodes waiting on a provider that never answers at once, not after the deadline", async () => {
    const { provider: inner } = localProvider();
    const sealed = (await createJournalCodec({ keyProvider: inner })).encode(text("secret"));
    const silent: KeyProvider = {
      kind: "local",
      generateDataKey: () => inner.generateDataKey(),
      unwrapDataKey: () => new Promise<Uint8Array>(() => undefined),
    };
    const codec = await createJournalCodec({ keyProvider: silent, providerTimeoutMs: 60_000 });
    const pending = codec.decode(sealed);
    await new Promise((resolve) => setTimeout(resolve, 5));
    codec.close();
    await expect(pending).rejects.toMatchObject({ code: "codec_closed" });
  });
});
