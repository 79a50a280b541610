import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createJournalCodec, JournalEncryptionError, type KeyProvider } from "../src/index.js";
import { describeValue } from "../src/show/describe-value.js";
import { valuesInEntryJson, valuesInRawEntry } from "../src/show/find-values.js";
import { locateEnvelopes } from "../src/show/locate-envelopes.js";
import { readMessage } from "../src/show/protobuf.js";
import { indentBudget, reindentJson, renderValue, safeText } from "../src/show/render-value.js";
import { sessionKeys } from "../src/show/session-keys.js";
import { sqlString } from "../src/show/sql.js";
import { controllableProvider, localProvider, RUNS, text } from "./helpers.js";

const golden = JSON.parse(readFileSync(new URL("./golden/sys-journal-rows.json", import.meta.url), "utf8")) as {
  rows: { entry_type: string; raw: string; entry_json: string }[];
};
const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const toHexString = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A protobuf encoder for the tests: fields of varints and length-delimited bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
function field(number: number, payload: Uint8Array | number): Uint8Array {
  if (typeof payload === "number") return Uint8Array.from([...varint(number * 8), ...varint(payload)]);
  return Uint8Array.from([...varint(number * 8 + 2), ...varint(payload.length), ...payload]);
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("journal entries as restate-server 1.7.12 stores them", () => {
  it("finds the same values in sys_journal.raw as in entry_json, at the documented places", () => {
    const paths: string[] = [];
    for (const row of golden.rows) {
      const fromJson = valuesInEntryJson(JSON.parse(row.entry_json));
      const fromRaw = valuesInRawEntry(hex(row.raw));
      expect(fromRaw.map((v) => toHexString(v.bytes))).toEqual(fromJson.map((v) => toHexString(v.bytes)));
      paths.push(...fromJson.map((v) => `${v.path} @ ${fromRaw[fromJson.indexOf(v)]?.path}`));
    }
    expect(paths).toEqual([
      "Command.Input.payload @ 14.1",
      "Command.SetState.value @ 3.1",
      "Notification.Completion.Run.result.Success @ 5.1",
      "Command.Call.request.parameter @ 3",
      "Notification.Completion.Call.result.Success @ 5.1",
      "Command.Output.result.Success @ 14.1",
    ]);
  });

  it("locateEnvelopes accepts a value, a raw entry, an entry_json text or a JSON string of one; plaintext yields nothing", () => {
    const input = golden.rows[0] as { raw: string; entry_json: string };
    const expected = toHexString(valuesInEntryJson(JSON.parse(input.entry_json))[0]?.bytes as Uint8Array);
    const found = (bytes: Uint8Array) => locateEnvelopes(bytes).map((v) => toHexString(v.bytes));
    expect(found(hex(input.raw))).toEqual([expected]);
    expect(found(text(input.entry_json))).toEqual([expected]);
    expect(found(text(JSON.stringify(input.entry_json)))).toEqual([expected]);
    expect(found(hex(expected))).toEqual([expected]);
    expect(found(text('{"plain":true}'))).toEqual([]);
    expect(found(text("hello"))).toEqual([]);
    expect(found(new Uint8Array(0))).toEqual([]);
  });
});

describe("protobuf walking", () => {
  it("never throws on arbitrary bytes, and rejects truncation", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        readMessage(bytes);
        valuesInRawEntry(bytes);
        locateEnvelopes(bytes);
      }),
      { numRuns: RUNS },
    );
    const message = concat(field(1, 7), field(2, text("abc")));
    expect(readMessage(message)?.map((f) => f.field)).toEqual([1, 2]);
    for (let cut = 1; cut < message.length; cut++) {
      if (cut === 2) continue; // a whole first field is itself a complete message
      expect(readMessage(message.subarray(0, cut))).toBeUndefined();
    }
  });

  it("finds an envelope however deep it is nested, and reports its exact bytes", async () => {
    const { provider } = localProvider();
    const codec = await createJournalCodec({ keyProvider: provider });
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 20 }),
        (plaintext, path, noise) => {
          const envelope = codec.encode(plaintext);
          let message: Uint8Array = envelope;
          for (const number of [...path].reverse())
            message = concat(field(99, text(noise)), field(number, message), field(3, 5));
          const found = valuesInRawEntry(message);
          expect(found.map((v) => v.path)).toEqual([path.join(".")]);
          expect(toHexString(found[0]?.bytes as Uint8Array)).toBe(toHexString(envelope));
        },
      ),
      { numRuns: RUNS },
    );
    codec.close();
  });
});

describe("rendering values", () => {
  it("pretty-prints JSON without changing a number or an escape", () => {
    const stored = '{"big":12345678901234567890,"e":1e999,"s":"a\\"b\\u0041","n":[],"o":{},"x":[1,{"y":null}]}';
    const shown = renderValue(text(stored));
    expect(shown.as).toBe("json");
    expect(shown.text).toContain("12345678901234567890");
    expect(shown.text).toContain("1e999");
    expect(shown.text).toContain('"a\\"b\\u0041"');
    expect(shown.text.split("\n")[1]).toBe('  "big": 12345678901234567890,');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const compact = JSON.stringify(value);
        expect(JSON.parse(reindentJson(compact) as string)).toEqual(JSON.parse(compact));
        expect(reindentJson(compact)).toBe(JSON.stringify(JSON.parse(compact), null, 2));
      }),
      { numRuns: RUNS },
    );
  });

  it("a deeply nested JSON value is shown within a budget linear in its size, as stored when indenting would exceed it", () => {
    // 40 KB of brackets used to pretty-print as 800 million characters (or throw "Invalid string length").
    const bomb = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    const shown = renderValue(text(bomb));
    expect(shown).toEqual({ as: "json", text: bomb, length: bomb.length });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.jsonValue({ maxDepth: 2 }), (depth, leaf) => {
        const nested = `${"[".repeat(depth)}${JSON.stringify(leaf)}${"]".repeat(depth)}`;
        const rendered = renderValue(text(nested));
        expect(rendered.as).toBe("json");
        expect(rendered.text.length).toBeLessThanOrEqual(indentBudget(nested.length));
        expect(JSON.parse(rendered.text)).toEqual(JSON.parse(nested));
      }),
      { numRuns: 40 },
    );
  });

  it("shows text as text, and bytes or terminal-steering characters as hex; safeText escapes them", () => {
    expect(renderValue(text("plain words\nline two"))).toEqual({
      as: "text",
      text: "plain words\nline two",
      length: 20,
    });
    expect(renderValue(Uint8Array.of(0xff, 0x00))).toEqual({ as: "hex", text: "ff00", length: 2 });
    expect(renderValue(text("\u001b[31mred"))).toMatchObject({ as: "hex" });
    expect(renderValue(text("over\rwrite"))).toMatchObject({ as: "hex" });
    expect(renderValue(text("\u202eevil"))).toMatchObject({ as: "hex" });
    expect(renderValue(new Uint8Array(0))).toEqual({ as: "empty", text: "", length: 0 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.string({ unit: "binary", maxLength: 60 }), (bytes, s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the test looks for
        const steering = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
        expect(steering.test(renderValue(bytes).text)).toBe(false);
        expect(steering.test(renderValue(text(s)).text)).toBe(false);
        expect(steering.test(safeText(s))).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("describeValue", () => {
  it("decrypts, or names the reason: unknown key, tampered, malformed, no keys of that kind; flags plaintext", async () => {
    const mine = localProvider(["k1"]);
    const theirs = localProvider(["k-other"]);
    const codec = await createJournalCodec({ keyProvider: mine.provider });
    const other = await createJournalCodec({ keyProvider: theirs.provider });
    const keys = { providerFor: (kind: string) => (kind === "local" ? mine.provider : undefined) };
    const sealed = codec.encode(text('{"a":1}'));
    expect(await describeValue(sealed, keys)).toEqual({
      state: "decrypted",
      format: "envelope",
      provider: "local",
      keyId: "k1",
      value: { as: "json", text: '{\n  "a": 1\n}', length: 7 },
    });
    expect(await describeValue(other.encode(text("x")), keys)).toMatchObject({
      state: "unreadable",
      reason: "unknown_key",
      keyId: "k-other",
    });
    const tampered = new Uint8Array(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(await describeValue(tampered, keys)).toMatchObject({ state: "unreadable", reason: "tampered" });
    expect(await describeValue(sealed.subarray(0, 12), keys)).toMatchObject({ reason: "invalid_envelope" });
    expect(await describeValue(sealed, { providerFor: () => undefined })).toMatchObject({
      reason: "no_keys_for_provider",
    });
    expect(await describeValue(text('"hi"'), keys)).toEqual({
      state: "plaintext",
      value: { as: "json", text: '"hi"', length: 4 },
    });
    // A provider refusing the key (as KMS does for a key outside allowedKeyIds): one error branch, mocked.
    const refusing: KeyProvider = {
      kind: "local",
      generateDataKey: () => mine.provider.generateDataKey(),
      unwrapDataKey: async () => {
        throw new JournalEncryptionError("key_not_allowed", "not allowed");
      },
    };
    expect(await describeValue(sealed, { providerFor: () => refusing })).toMatchObject({ reason: "key_not_allowed" });
    codec.close();
    other.close();
  });

  it("a session unwraps each data key once and hands out copies", async () => {
    const { provider } = localProvider(["k1"]);
    const counted = controllableProvider(provider);
    const codec = await createJournalCodec({ keyProvider: provider });
    const session = sessionKeys({ providerFor: () => counted.provider });
    for (let i = 0; i < 5; i++) {
      const shown = await describeValue(codec.encode(text(`"v${i}"`)), session);
      expect(shown).toMatchObject({ state: "decrypted", value: { text: `"v${i}"` } });
    }
    expect(counted.state.unwrap).toBe(1);
    expect(session.unwrapCalls()).toBe(1);
    session.close();
    codec.close();
  });
});

describe("sqlString", () => {
  it("doubles quotes and refuses control characters", () => {
    expect(sqlString("o'brien", "key")).toBe("'o''brien'");
    expect(sqlString("a\\'b", "key")).toBe("'a\\''b'");
    expect(() => sqlString("a\u0000b", "object key")).toThrow(/object key must be text without control characters/);
  });
});
