import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLocalKeyEntry } from "../src/cli/keys.js";
import { createJournalCodec } from "../src/codec.js";
import { keyFingerprint } from "../src/envelope-fingerprint.js";
import { JournalEncryptionError } from "../src/errors.js";
import type { KeyProvider } from "../src/key-provider.js";
import type { StateAdmin } from "../src/state/admin.js";
import { cachingKeyProvider } from "../src/state/key-cache.js";
import { rewrapState } from "../src/state/rewrap.js";
import { rewriteState } from "../src/state/rewrite.js";
import { sqlString } from "../src/state/store.js";
import { stateVersion, versionIsAmbiguous } from "../src/state/version.js";

import { controllableProvider, localProvider } from "./helpers.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);

/** The version as the restate CLI describes it, written independently with node:crypto. */
function referenceVersion(state: Map<string, Uint8Array>): string {
  const entries = [...state].map(([k, v]) => [Buffer.from(k, "utf8"), Buffer.from(v)] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const hash = createHash("sha256");
  entries.forEach(([k, v], i) => {
    const index = Buffer.alloc(8);
    index.writeBigUInt64BE(BigInt(i));
    hash.update(index).update(Buffer.of(1)).update(k).update(Buffer.of(2)).update(v).update(Buffer.of(3));
  });
  return hash.digest("base64url");
}

describe("stateVersion", () => {
  it("is SHA-256 over the key-sorted entries, URL-safe base64 without padding", async () => {
    expect(await stateVersion(new Map())).toBe("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ unit: "grapheme" }), fc.uint8Array({ maxLength: 64 })),
        async (dict) => {
          const state = new Map(Object.entries(dict));
          const reversed = new Map([...state].reverse());
          const version = await stateVersion(state);
          expect(version).toBe(referenceVersion(state));
          expect(await stateVersion(reversed)).toBe(version);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("stateVersion's limit (the server's encoding)", () => {
  it("two different states share a version when a value embeds the encoding of further entries", async () => {
    const separate = new Map([
      ["a", Uint8Array.of(0x78)],
      ["b", Uint8Array.of(0x79)],
    ]);
    const merged = new Map([["a", Uint8Array.of(0x78, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x62, 2, 0x79)]]);
    expect(await stateVersion(merged)).toBe(await stateVersion(separate));
    expect(versionIsAmbiguous(merged)).toBe(true);
    expect(versionIsAmbiguous(separate)).toBe(false);
    expect(versionIsAmbiguous(new Map([["k\u0003\0\0\0\0\0\u0001", Uint8Array.of(1)]]))).toBe(true);
  });

  it("a rewrite leaves such a state alone (a change computed from it could apply over its twin)", async () => {
    const admin = droppingAdmin(new Map([["a", Uint8Array.of(0x78, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x62, 2, 0x79)]]));
    const report = await rewriteState({ admin, select: () => true, transform: (v) => Uint8Array.of(...v, 1) });
    expect(admin.sent).toBe(0);
    expect(report.failures).toEqual([
      expect.objectContaining({ service: "Cart", objectKey: "ada", stateKey: "*", code: "ambiguous_state_version" }),
    ]);
  });

  it("sealed values (random bytes) are not taken for such a state", async () => {
    const codec = await createJournalCodec({ keyProvider: localProvider().provider });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string(), { maxKeys: 8 }), (dict) => {
        const state = new Map(Object.entries(dict).map(([k, v]) => [k, codec.encode(new TextEncoder().encode(v))]));
        expect(versionIsAmbiguous(state)).toBe(false);
      }),
      { numRuns: RUNS },
    );
    codec.close();
  });
});

describe("cachingKeyProvider", () => {
  it("asks the provider once per data key, also when it refuses; a retryable failure is asked again", async () => {
    const { provider: inner } = localProvider();
    const counted = controllableProvider(inner);
    const cached = cachingKeyProvider(counted.provider);
    const { keyId, wrappedKey } = await inner.generateDataKey();
    for (let i = 0; i < 5; i++) await cached.unwrapDataKey({ keyId, wrappedKey });
    expect(counted.state.unwrap).toBe(1);
    // The same tampered value stored many times: one refusal, not one KMS call per copy.
    const tampered = Uint8Array.from(wrappedKey, (b, i) => (i === 20 ? b ^ 1 : b));
    for (let i = 0; i < 5; i++) {
      await expect(cached.unwrapDataKey({ keyId, wrappedKey: tampered })).rejects.toMatchObject({ retryable: false });
    }
    expect(counted.state.unwrap).toBe(2);
    counted.state.failWith = new JournalEncryptionError("provider_unavailable", "throttled");
    const other = await inner.generateDataKey();
    for (let i = 0; i < 3; i++) {
      await expect(cached.unwrapDataKey(other)).rejects.toMatchObject({ code: "provider_unavailable" });
    }
    expect(counted.state.unwrap).toBe(5);
    counted.state.failWith = undefined;
    await cached.unwrapDataKey(other);
    expect(counted.state.unwrap).toBe(6);
    cached.wipe();
  });
});

describe("parseLocalKeyEntry", () => {
  it("reads <id>=<base64 32 bytes> and, for anything else, says only the position", async () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,20}$/),
        (key, id) => {
          const parsed = parseLocalKeyEntry(`${id}=${Buffer.from(key).toString("base64")}`, "here");
          expect(parsed.id).toBe(id);
          expect(Buffer.from(parsed.key)).toEqual(Buffer.from(key));
        },
      ),
      { numRuns: RUNS },
    );
    const fixed =
      /^here: (expected <id>=<base64 key>|the key id \(before the first "="\) must be 1–128 letters, digits or \._:\/\+@- characters|expected a base64 32-byte key after the first "=" \(as restate-journal generate-key prints\))$/;
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (entry) => {
        try {
          parseLocalKeyEntry(entry, "here");
        } catch (error) {
          expect((error as Error).message).toMatch(fixed);
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe("sqlString", () => {
  it("doubles quotes, so an object key cannot end the literal", () => {
    expect(sqlString("o'brien")).toBe("'o''brien'");
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(sqlString(s).slice(1, -1).replace(/''/g, "")).not.toContain("'");
      }),
    );
  });
});

/**
 * An admin that never applies a change, the failure mode restate-server 1.7.12 shows for a stale
 * version (202, then dropped). The real server's behaviour is proved in state.int.test.ts; this
 * is the one error branch that is hard to force there.
 */
function droppingAdmin(state: Map<string, Uint8Array>): StateAdmin & { sent: number } {
  const admin = {
    sent: 0,
    async query<Row>(): Promise<Row[]> {
      return [...state].map(([key, value]) => ({
        service_name: "Cart",
        service_key: "ada",
        key,
        value: Buffer.from(value).toString("hex"),
      })) as Row[];
    },
    services: {
      async modifyState() {
        admin.sent++;
      },
    },
  };
  return admin;
}

describe("rewriteState", () => {
  it("leaves a change that never shows queued (one send) and reports the object pending", async () => {
    const admin = droppingAdmin(new Map([["items", new TextEncoder().encode("[1]")]]));
    const report = await rewriteState({
      admin,
      select: () => true,
      transform: (v) => Uint8Array.of(...v, 1),
      confirmTimeoutMs: 30,
    });
    expect(report).toMatchObject({
      valuesRewritten: 0,
      conflictsRetried: 0,
      pending: [{ service: "Cart", objectKey: "ada", reason: "queued" }],
    });
    expect(admin.sent).toBe(1);
  });

  it("retries an object a writer keeps changing, then reports it contended", async () => {
    const state = new Map([["items", new TextEncoder().encode("[1]")]]);
    const admin = droppingAdmin(state);
    // Every change is overtaken: a writer changes the object before it applies.
    admin.services.modifyState = async () => {
      admin.sent++;
      state.set("items", new TextEncoder().encode(`[${admin.sent + 1}]`));
    };
    const report = await rewriteState({
      admin,
      select: () => true,
      transform: (v) => Uint8Array.of(...v, 1),
      maxAttempts: 3,
    });
    expect(report).toMatchObject({ conflictsRetried: 3, pending: [{ reason: "contended" }] });
    expect(admin.sent).toBe(3);
  });

  it("leaves a value it cannot transform as it is, reports it, and sends nothing when nothing else changes", async () => {
    const admin = droppingAdmin(new Map([["items", new TextEncoder().encode("[1]")]]));
    const report = await rewriteState({
      admin,
      select: () => true,
      transform: () => {
        throw Object.assign(new Error("no key"), { code: "unknown_key" });
      },
    });
    expect(report.failures).toEqual([
      { service: "Cart", objectKey: "ada", stateKey: "items", code: "unknown_key", message: "no key" },
    ]);
    expect(admin.sent).toBe(0);
  });

  it("reports an object the admin API refuses and goes on with the others", async () => {
    const admin = droppingAdmin(new Map([["items", Uint8Array.of(1)]]));
    admin.services.modifyState = async () => {
      throw Object.assign(new Error("service not found"), { code: "admin_api" });
    };
    const report = await rewriteState({ admin, select: () => true, transform: () => Uint8Array.of(2) });
    expect(report.failures).toEqual([
      { service: "Cart", objectKey: "ada", stateKey: "*", code: "admin_api", message: "service not found" },
    ]);
  });

  it("changes nothing in a dry run", async () => {
    const admin = droppingAdmin(
      new Map([
        ["a", Uint8Array.of(1)],
        ["b", Uint8Array.of(2)],
      ]),
    );
    const report = await rewriteState({
      admin,
      select: (v) => v[0] === 1,
      transform: () => Uint8Array.of(9),
      dryRun: true,
    });
    expect(report).toMatchObject({ dryRun: true, valuesScanned: 2, valuesRewritten: 1, pending: [] });
    expect(admin.sent).toBe(0);
  });
});

describe("rewrapState with version-2 KMS envelopes whose key fingerprints collide", () => {
  /** Two key ARNs whose 7-bit fingerprints are equal, so only an unwrap can tell them apart. */
  function collidingArns(): [string, string] {
    const seen = new Map<number, string>();
    for (let i = 0; ; i++) {
      const arn = `arn:aws:kms:eu-central-1:111122223333:key/${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
      const fingerprint = keyFingerprint(arn);
      const other = seen.get(fingerprint);
      if (other) return [other, arn];
      seen.set(fingerprint, arn);
    }
  }

  /** A stand-in for KMS that remembers which key wrapped each data key (the real one is in state.int.test.ts). */
  function stubKms() {
    const wrapped = new Map<string, { key: Uint8Array; keyId: string }>();
    const unwraps: string[] = [];
    const provider = (keyId: string): KeyProvider => ({
      kind: "aws-kms",
      async generateDataKey() {
        const plaintextKey = crypto.getRandomValues(new Uint8Array(32));
        const wrappedKey = crypto.getRandomValues(new Uint8Array(64));
        wrapped.set(Buffer.from(wrappedKey).toString("hex"), { key: new Uint8Array(plaintextKey), keyId });
        return { plaintextKey, wrappedKey, keyId };
      },
      async unwrapDataKey({ wrappedKey }) {
        return new Uint8Array((wrapped.get(Buffer.from(wrappedKey).toString("hex")) as { key: Uint8Array }).key);
      },
      async unwrapUnnamedDataKey({ wrappedKey }) {
        const entry = wrapped.get(Buffer.from(wrappedKey).toString("hex")) as { key: Uint8Array; keyId: string };
        unwraps.push(entry.keyId);
        return { key: new Uint8Array(entry.key), keyId: entry.keyId };
      },
    });
    return { provider, unwraps };
  }

  /** Applies a change at once when its version matches, as restate-server does (without the delay). */
  function versionedAdmin(state: Map<string, Uint8Array>): StateAdmin {
    return {
      async query<Row>(): Promise<Row[]> {
        return [...state].map(([key, value]) => ({
          service_name: "Cart",
          service_key: "ada",
          key,
          value: Buffer.from(value).toString("hex"),
        })) as Row[];
      },
      services: {
        async modifyState(_service, change) {
          if (change.version !== (await stateVersion(state))) return;
          state.clear();
          for (const [key, value] of Object.entries(change.newState)) state.set(key, value);
        },
      },
    };
  }

  it("re-seals only what the old key sealed, and a second run changes nothing", async () => {
    const [oldArn, newArn] = collidingArns();
    const kms = stubKms();
    const oldCodec = await createJournalCodec({ keyProvider: kms.provider(oldArn) });
    const newCodec = await createJournalCodec({ keyProvider: kms.provider(newArn) });
    const state = new Map([
      ["old", oldCodec.encode(new TextEncoder().encode('"sealed under the old key"'))],
      ["new", newCodec.encode(new TextEncoder().encode('"sealed under the new key"'))],
    ]);
    const untouched = state.get("new");
    const rewrap = () =>
      rewrapState({
        admin: versionedAdmin(state),
        codec: newCodec,
        activeKey: { provider: "aws-kms", keyId: newArn },
        fromKeyIds: [oldArn],
        keyProviders: [kms.provider(newArn)],
      });
    expect(await rewrap()).toMatchObject({ valuesRewritten: 1, failures: [], pending: [] });
    expect(state.get("new")).toEqual(untouched);
    expect(new TextDecoder().decode(await newCodec.decode(state.get("old") as Uint8Array))).toBe(
      '"sealed under the old key"',
    );
    expect(kms.unwraps.filter((keyId) => keyId === oldArn).length).toBeGreaterThan(0);
    expect(await rewrap()).toMatchObject({ valuesRewritten: 0, failures: [], pending: [] });
    oldCodec.close();
    newCodec.close();
  });
});
