import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toBase64, toHex } from "../src/bytes.js";
import { run } from "../src/cli/run.js";
import { readValue } from "../src/cli/value.js";
import { createJournalCodec } from "../src/codec.js";
import { generateLocalKey, localKeyProvider } from "../src/local-key-provider.js";

const text = (value: string) => new TextEncoder().encode(value);

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env },
    run: (argv: string[]) => run(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env }),
  };
}

const dir = mkdtempSync(join(tmpdir(), "restate-journal-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  chmodSync(path, 0o600);
  return path;
}

async function sealedWith(keyId: string, key: string, plaintext: string) {
  const codec = await createJournalCodec({
    keyProvider: localKeyProvider({ keys: { [keyId]: key }, activeKeyId: keyId }),
  });
  const sealed = codec.encode(text(plaintext));
  codec.close();
  return sealed;
}

describe("restate-journal inspect, decode, generate-key", () => {
  it("inspect prints a key id with bidi or C1 characters as JSON escapes: the same value, nothing that steers", async () => {
    const keyId = "k\u202e1\u009b2J";
    const c = cli();
    expect(await c.run(["inspect", toBase64(await sealedWith(keyId, generateLocalKey(), "x"))])).toBe(0);
    expect(c.out[0]).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    expect(JSON.parse(c.out[0] as string)).toMatchObject({ provider: "local", keyId });
  });

  it("inspects base64 and hex values without keys, printing no secrets", async () => {
    const key = generateLocalKey();
    const sealed = await sealedWith("ops-key", key, '{"card":"4111"}');
    for (const form of [toBase64(sealed), toHex(sealed)]) {
      const c = cli();
      expect(await c.run(["inspect", form])).toBe(0);
      expect(JSON.parse(c.out[0] as string)).toMatchObject({
        provider: "local",
        keyId: "ops-key",
        ciphertextLength: 15,
      });
      expect(c.out.join("")).not.toContain("4111");
    }
  });

  it("decodes with keys from a flag (with a warning), a key file and the environment", async () => {
    const key = generateLocalKey();
    const sealed = toBase64(await sealedWith("ops-key", key, '{"card":"4111"}'));

    const flag = cli();
    expect(await flag.run(["decode", sealed, "--local-key", `ops-key=${key}`])).toBe(0);
    expect(flag.out).toEqual(['{"card":"4111"}']);
    expect(flag.err.join("\n")).toMatch(/warning: --local-key puts key material on the command line/);
    expect(flag.err.join("\n")).not.toContain(key);

    const file = cli();
    const path = keyFile("keys.txt", ["# operator keys", "", `other=${generateLocalKey()}`, `ops-key=${key}`]);
    expect(await file.run(["decode", sealed, "--local-key-file", path, "--output", "hex"])).toBe(0);
    expect(file.out).toEqual([toHex(text('{"card":"4111"}'))]);
    expect(file.err).toEqual([]);

    const env = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `a=${generateLocalKey()}, ops-key=${key}` });
    expect(await env.run(["decode", sealed, "--json"])).toBe(0);
    expect(JSON.parse(env.out[0] as string)).toMatchObject({
      provider: "local",
      keyId: "ops-key",
      text: '{"card":"4111"}',
    });
    expect(env.err).toEqual([]);
  });

  it("warns about a key file other users can read", async () => {
    const key = generateLocalKey();
    const path = keyFile("open.txt", [`ops-key=${key}`]);
    chmodSync(path, 0o644);
    const c = cli();
    expect(await c.run(["decode", toBase64(await sealedWith("ops-key", key, "x")), "--local-key-file", path])).toBe(0);
    expect(c.err.join("\n")).toMatch(/can be read by other users \(mode 644\); chmod 600 it/);
  });

  it("reports wrong and unknown keys with the library's code, exit 1", async () => {
    const key = generateLocalKey();
    const sealed = toBase64(await sealedWith("ops-key", key, "x"));
    const wrong = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `ops-key=${generateLocalKey()}` });
    expect(await wrong.run(["decode", sealed])).toBe(1);
    expect(wrong.err).toEqual([expect.stringMatching(/^restate-journal: error \[authentication_failed\]: /)]);
    const unknown = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `other=${key}` });
    expect(await unknown.run(["decode", sealed, "--json"])).toBe(1);
    expect(JSON.parse(unknown.out[0] as string).error.code).toBe("unknown_key");
  });

  it("reads values from @files and standard input", async () => {
    const sealed = await sealedWith("k", generateLocalKey(), "x");
    const io = { stdin: async () => text(toBase64(sealed)) };
    expect(await readValue("@whatever", { io: io as never }, () => sealed)).toEqual(sealed);
    expect(await readValue("@whatever", { io: io as never }, () => text(toHex(sealed)))).toEqual(sealed);
    expect(await readValue("-", { io: io as never })).toEqual(sealed);
  });

  it("explains usage errors with exit 2, and uses the AWS CLI's flag names", async () => {
    const cases: [string[], RegExp][] = [
      [[], /error \[missing_command\]/],
      [["frobnicate", "x"], /error \[unknown_command\]: unknown command "frobnicate"/],
      [["inspect", "!!!"], /<value> is neither base64 nor hex/],
      [["decode", "AFJKRQ==", "--region", "eu-west-1"], /unknown flag --region/],
      [["decode", "AFJKRQ==", "--endpoint", "http://x"], /unknown flag --endpoint/],
      [["decode", "AFJKRQ==", "--output", "yaml", "--local-key-file", "/nope"], /--output must be text, base64 or hex/],
      [
        ["decode", "AFJKRQ==", "--aws-region", "eu-west-1", "--local-key-file", "/nope"],
        /--aws-region only applies with --kms/,
      ],
    ];
    for (const [argv, message] of cases) {
      const c = cli();
      expect(await c.run(argv), argv.join(" ")).toBe(2);
      expect(c.err.join("\n"), argv.join(" ")).toMatch(message);
    }
    const plain = cli();
    expect(await plain.run(["inspect", toBase64(text('{"plain":true}'))])).toBe(1);
    expect(plain.err.join("\n")).toContain("not_encrypted");
    const key = cli();
    expect(await key.run(["generate-key"])).toBe(0);
    expect(Buffer.from(key.out[0] as string, "base64")).toHaveLength(32);
    const help = cli();
    expect(await help.run(["--help"])).toBe(0);
    expect(help.out[0]).toMatch(/inspect <value>[\s\S]*decode <value>[\s\S]*generate-key/);
  });
});

describe("key material never reaches any output", () => {
  /** Every 8-character window of the key's base64 and hex forms: none may appear anywhere. */
  function leaks(output: string, secretBytes: Uint8Array, secretText: string): string[] {
    const forms = [secretText, toBase64(secretBytes), toHex(secretBytes)];
    const found: string[] = [];
    for (const form of forms) {
      for (let i = 0; i + 8 <= form.length; i++) {
        const window = form.slice(i, i + 8);
        if (output.includes(window)) found.push(window);
      }
    }
    return found;
  }

  // Malformed keys an operator might really type: truncated, one character too many, a stray
  // character, 31 and 33 bytes, hex instead of base64, and the key alone without its id.
  const real = Buffer.from(generateLocalKey(), "base64");
  const malformed: { name: string; entry: (key: string) => string; key: string; bytes: Uint8Array }[] = [
    { name: "truncated", key: toBase64(real).slice(0, 40), bytes: real.subarray(0, 29), entry: (k) => `ops=${k}` },
    {
      name: "stray character",
      key: `${toBase64(real).slice(0, 20)}*${toBase64(real).slice(21)}`,
      bytes: real,
      entry: (k) => `ops=${k}`,
    },
    { name: "31 bytes", key: toBase64(real.subarray(0, 31)), bytes: real.subarray(0, 31), entry: (k) => `ops=${k}` },
    { name: "33 bytes", key: toBase64(Buffer.concat([real, Buffer.of(7)])), bytes: real, entry: (k) => `ops=${k}` },
    { name: "hex", key: toHex(real), bytes: real, entry: (k) => `ops=${k}` },
    { name: "no id", key: toBase64(real), bytes: real, entry: (k) => k },
    { name: "empty id", key: toBase64(real), bytes: real, entry: (k) => `=${k}` },
  ];

  it("a malformed key as --local-key, in a key file, in the environment, or as a stray argument", async () => {
    for (const m of malformed) {
      const good = `good=${generateLocalKey()}`;
      const entry = m.entry(m.key);
      const file = keyFile(`bad-${m.name.replace(/\W/g, "-")}.txt`, ["# keys", good, entry]);
      const positions: { argv: string[]; env?: Record<string, string>; names: RegExp }[] = [
        { argv: ["--local-key", good, "--local-key", entry], names: /--local-key #2:/ },
        { argv: [`--local-key=${entry}`], names: /--local-key #1:/ },
        { argv: ["--local-key-file", file], names: /--local-key-file \S+ line 3:/ },
        {
          argv: [],
          env: { RESTATE_JOURNAL_LOCAL_KEYS: `${good},${entry}` },
          names: /RESTATE_JOURNAL_LOCAL_KEYS entry #2:/,
        },
        // The id and the key separated by a space: the key becomes a stray positional argument.
        { argv: ["--local-key", "ops", m.key], names: /unexpected argument \(\d+ characters, not shown\)/ },
        // The key where the command belongs, and a mistyped flag carrying it.
        { argv: [`--local-keys=${entry}`], names: /unknown flag --local-keys / },
        {
          argv: ["--active-key", m.key, "--local-key-file", keyFile("one.txt", [good])],
          names: /--active-key names none/,
        },
      ];
      for (const position of positions) {
        for (const json of [false, true]) {
          const c = cli(position.env);
          const argv = ["decode", "AFJKRQEB", ...position.argv, ...(json ? ["--json"] : [])];
          const code = await c.run(argv);
          const everything = [...c.out, ...c.err].join("\n");
          const label = `${m.name}: ${position.names}${json ? " --json" : ""}`;
          expect(code, label).toBe(2);
          expect(everything, label).toMatch(position.names);
          expect(leaks(everything, m.bytes, m.key), label).toEqual([]);
          if (json) expect(JSON.parse(c.out.at(-1) as string).error.code, label).toMatch(/^[a-z_]+$/);
        }
      }
      const misplaced = cli();
      expect(await misplaced.run([m.key, "decode", "AFJKRQEB"])).toBe(2);
      expect(leaks([...misplaced.out, ...misplaced.err].join("\n"), m.bytes, m.key)).toEqual([]);
    }
  });

  it("two different keys under one id are refused, naming both positions and neither key", async () => {
    const [a, b] = [generateLocalKey(), generateLocalKey()];
    const c = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `ops=${b}` });
    expect(await c.run(["decode", "AFJKRQEB", "--local-key", `ops=${a}`])).toBe(2);
    const everything = c.err.join("\n");
    expect(everything).toMatch(
      /key id "ops" is given twice with different keys \(--local-key #1 and RESTATE_JOURNAL_LOCAL_KEYS entry #1\)/,
    );
    expect(leaks(everything, Buffer.from(a, "base64"), a)).toEqual([]);
    expect(leaks(everything, Buffer.from(b, "base64"), b)).toEqual([]);
  });
});

describe("KMS failures are explained in words", () => {
  const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  async function kmsSealed() {
    // A stand-in provider that only seals: decoding goes to (a failing) KMS.
    const codec = await createJournalCodec({
      keyProvider: {
        kind: "aws-kms",
        generateDataKey: async () => ({
          plaintextKey: crypto.getRandomValues(new Uint8Array(32)),
          wrappedKey: crypto.getRandomValues(new Uint8Array(184)),
          keyId: arn,
        }),
        unwrapDataKey: async () => {
          throw new Error("not used");
        },
      },
    });
    const sealed = toBase64(codec.encode(text("x")));
    codec.close();
    return sealed;
  }

  it("says when the endpoint cannot be reached and when no region is configured", async () => {
    const sealed = await kmsSealed();
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_MAX_ATTEMPTS: "1",
    });
    try {
      const unreachable = cli();
      const flags = ["--kms", "--allow-key", arn, "--aws-region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"];
      expect(await unreachable.run(["decode", sealed, ...flags])).toBe(1);
      expect(unreachable.err.join("\n")).toMatch(
        /error \[provider_unavailable\]: KMS Decrypt failed: the KMS endpoint could not be reached/,
      );

      for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"]) delete process.env[name];
      process.env.AWS_CONFIG_FILE = join(dir, "no-aws-config");
      const noRegion = cli();
      expect(await noRegion.run(["decode", sealed, "--kms", "--allow-key", arn, "--json"])).toBe(1);
      expect(JSON.parse(noRegion.out[0] as string).error).toMatchObject({
        code: "provider_error",
        message: expect.stringMatching(/no AWS region is configured/),
      });

      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) delete process.env[name];
      Object.assign(process.env, {
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      });
      const noCredentials = cli();
      expect(
        await noCredentials.run(["decode", sealed, "--kms", "--allow-key", arn, "--aws-region", "us-east-1"]),
      ).toBe(1);
      expect(noCredentials.err.join("\n")).toMatch(/KMS Decrypt failed: no AWS credentials were found/);
    } finally {
      process.env = saved;
    }
  });
});

describe("stored-state commands: options", () => {
  it("name the flag or variable that is wrong, exit 2", async () => {
    const key = `k=${generateLocalKey()}`;
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["audit", "--admin-url", "ftp://x"], {}, /--admin-url is not valid: must be an http\(s\) URL/],
      [
        ["audit"],
        { RESTATE_ADMIN_URL: "http://user:pw@x" },
        /error \[invalid_option\]: RESTATE_ADMIN_URL is not valid: must not carry credentials/,
      ],
      [["migrate"], {}, /error \[missing_option\]: --active-key <id> is required/],
      [["migrate", "--local-key", key, "--local-key", `j=${generateLocalKey()}`], {}, /--active-key <id> is required/],
      [["rewrap", "--local-key", key], {}, /rewrap needs --from-key <id> or --from-reference-format/],
      [["rewrap", "--from-key", "k", "--local-key", key], {}, /--from-key names the active key/],
      [["rewrap", "--from-reference-format", "--local-key", key], {}, /--from-reference-format needs --kms/],
      [
        ["rewrap", "--from-key", "old", "--local-key", key],
        {},
        /--from-key names key "old", which is neither a local key given/,
      ],
      [["migrate", "--kms"], {}, /--kms needs --allow-key <key-arn>|--active-key <id> is required/],
      [
        [
          "rewrap",
          "--from-key",
          "old",
          "--local-key",
          key,
          "--active-key",
          "k",
          "--kms",
          "--allow-key",
          "arn:aws:kms:eu-central-1:1:key/n",
        ],
        {},
        /--from-key names key "old", which is neither/,
      ],
      [
        ["rewrap", "--from-key", "alias/old", "--kms", "--active-key", "arn:aws:kms:eu-central-1:1:key/n"],
        {},
        /--from-key names an alias/,
      ],
    ];
    for (const [argv, env, message] of cases) {
      const c = cli(env);
      expect(await c.run(argv), argv.join(" ")).toBe(2);
      expect(c.err.join("\n"), argv.join(" ")).toMatch(message);
    }
  });

  it("take the admin URL from RESTATE_ADMIN_URL and report an unreachable admin API, exit 1", async () => {
    const c = cli({ RESTATE_ADMIN_URL: "http://127.0.0.1:39917", RESTATE_AUTH_TOKEN: "secret-token-value" });
    expect(await c.run(["audit", "--json"])).toBe(1);
    const everything = [...c.out, ...c.err].join("\n");
    expect(JSON.parse(c.out[0] as string).error).toMatchObject({
      code: expect.stringMatching(/network/),
      retryable: true,
    });
    expect(everything).not.toContain("secret-token-value");
  }, 60_000);
});

describe("inspect and decode accept journal entries (sys_journal.raw and entry_json)", () => {
  const golden = JSON.parse(readFileSync(new URL("./golden/sys-journal-rows.json", import.meta.url), "utf8")) as {
    rows: { entry_type: string; raw: string; entry_json: string }[];
  };

  it("inspect lists the envelopes inside a real raw entry and its entry_json, with their paths", async () => {
    const input = golden.rows.find((row) => row.entry_type === "Command: Input") as { raw: string; entry_json: string };
    const raw = cli();
    expect(await raw.run(["inspect", input.raw])).toBe(0);
    const fromRaw = JSON.parse(raw.out[0] as string).values;
    expect(fromRaw).toEqual([
      expect.objectContaining({ path: "14.1", format: "envelope", provider: "local", keyId: "k1" }),
    ]);
    const path = join(dir, "entry.json");
    writeFileSync(path, input.entry_json);
    const json = cli();
    expect(await json.run(["inspect", `@${path}`])).toBe(0);
    expect(JSON.parse(json.out[0] as string).values).toEqual([
      expect.objectContaining({ path: "Command.Input.payload", format: "envelope", keyId: "k1" }),
    ]);
    // A journal entry without any encrypted value is still refused, as before.
    const run = golden.rows.find((row) => row.entry_type === "Command: Run") as { raw: string };
    const plain = cli();
    expect(await plain.run(["inspect", run.raw])).toBe(1);
    expect(plain.err.join("\n")).toContain("not_encrypted");
  });

  it("decode opens every value of an entry, and reports the one it cannot open without hiding the others", async () => {
    const key = generateLocalKey();
    const a = await sealedWith("ops", key, '"first"');
    const b = await sealedWith("ops", key, '"second"');
    const tampered = await sealedWith("ops", key, '"third"');
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    const entry = JSON.stringify({
      Command: { Call: { parameter: [...a], headers: [] } },
      Notification: { Completion: { Call: { result: { Success: [...b] } } }, Other: { value: [...tampered] } },
    });
    const c = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `ops=${key}` });
    expect(await c.run(["decode", entry, "--json"])).toBe(1);
    const { values } = JSON.parse(c.out[0] as string);
    expect(values).toEqual([
      expect.objectContaining({ path: "Command.Call.parameter", keyId: "ops", text: '"first"' }),
      expect.objectContaining({ path: "Notification.Completion.Call.result.Success", text: '"second"' }),
      { path: "Notification.Other.value", error: expect.objectContaining({ code: "authentication_failed" }) },
    ]);
    // The same values inside a raw (protobuf) entry: field 14, then field 1, as restate-server stores an input.
    const inner = Buffer.concat([Buffer.of(0x0a, a.length), a]);
    const raw = Buffer.concat([Buffer.of(0x72, inner.length), inner]).toString("hex");
    const fromRaw = cli({ RESTATE_JOURNAL_LOCAL_KEYS: `ops=${key}` });
    expect(await fromRaw.run(["decode", raw])).toBe(0);
    expect(fromRaw.out).toEqual(['14.1: "first"']);
  });
});
