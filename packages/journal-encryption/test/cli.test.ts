import { describe, expect, it } from "vitest";
import { toBase64, toHex } from "../src/bytes.js";
import { main, readValue } from "../src/cli.js";
import { createJournalCodec, localKeyProvider } from "../src/index.js";
import { localProvider, text } from "./helpers.js";

async function run(args: string[]) {
  let out = "";
  let err = "";
  const code = await main(
    args,
    (t) => (out += t),
    (t) => (err += t),
  );
  return { code, out, err };
}

describe("restate-journal CLI", () => {
  it("inspects base64 and hex values without keys, printing no secrets", async () => {
    const { keys } = localProvider(["ops-key"]);
    const codec = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "ops-key" }) });
    const sealed = codec.encode(text('{"card":"4111"}'));
    for (const form of [toBase64(sealed), toHex(sealed)]) {
      const { code, out } = await run(["inspect", form]);
      expect(code).toBe(0);
      const info = JSON.parse(out);
      expect(info).toMatchObject({
        version: 1,
        provider: "local",
        keyId: "ops-key",
        wrappedKeyLength: 60,
        ciphertextLength: 15,
      });
      expect(out).not.toContain("4111");
    }
  });

  it("decodes with local keys, reads @files, and reports wrong keys with the error code", async () => {
    const { keys } = localProvider(["ops-key"]);
    const codec = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "ops-key" }) });
    const sealed = codec.encode(text('{"card":"4111"}'));
    const ok = await run(["decode", toBase64(sealed), "--local-key", `ops-key=${keys["ops-key"]}`]);
    expect(ok).toMatchObject({ code: 0, out: '{"card":"4111"}\n' });
    const hex = await run(["decode", toBase64(sealed), `--local-key=ops-key=${keys["ops-key"]}`, "--output", "hex"]);
    expect(hex.out.trim()).toBe(toHex(text('{"card":"4111"}')));
    const wrong = await run(["decode", toBase64(sealed), "--local-key", `ops-key=${localProvider().keys.k1}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("authentication_failed");
    const unknown = await run(["decode", toBase64(sealed), "--local-key", `other=${keys["ops-key"]}`]);
    expect(unknown.err).toContain("unknown_key");
    expect(readValue("@whatever", () => sealed)).toEqual(sealed);
    expect(readValue("@whatever", () => text(toBase64(sealed)))).toEqual(sealed);
  });

  it("explains usage errors", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["frobnicate", "x"])).err).toContain('unknown command "frobnicate"');
    expect((await run(["inspect", "!!!"])).err).toContain("neither base64 nor hex");
    expect((await run(["inspect", toBase64(text('{"plain":true}'))])).err).toContain("not_encrypted");
    expect((await run(["decode", "AFJKRQ=="])).code).not.toBe(0);
    const key = await run(["generate-key"]);
    expect(Buffer.from(key.out.trim(), "base64")).toHaveLength(32);
  });
});
