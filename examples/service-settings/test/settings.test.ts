import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_ERROR_CODES, ConfigError, type Environment, readServiceConfig, SETTINGS } from "../src/index.js";

const KEY = "publickeyv1_w7YHemBctH5Ck2nQRQ47iBBqhNHy4FV7t2Usbye2A6f";
const SECRET = Buffer.alloc(32, 7).toString("base64");

const readFile = (path: string) => readFileSync(path, "utf8");

function failure(env: Environment, options: Parameters<typeof readServiceConfig>[1] = {}): ConfigError {
  try {
    readServiceConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("readServiceConfig", () => {
  it("reads identity keys and a single local journal key", () => {
    const config = readServiceConfig({ RESTATE_IDENTITY_KEYS: ` ${KEY} , `, JOURNAL_KEYS: `k1=${SECRET}` });
    expect(config).toEqual({
      identity: { keys: [KEY] },
      journal: { provider: "local", keys: { k1: SECRET }, activeKeyId: "k1" },
    });
  });

  it("keeps old journal keys for decoding and wraps with the active one", () => {
    const config = readServiceConfig({
      RESTATE_IDENTITY_KEYS: `${KEY},${KEY.replace("w7", "x8")}`,
      JOURNAL_KEYS: `old=${SECRET},new=${SECRET}`,
      JOURNAL_ACTIVE_KEY_ID: "new",
    });
    expect(config.identity).toEqual({ keys: [KEY, KEY.replace("w7", "x8")] });
    expect(config.journal).toEqual({ provider: "local", keys: { old: SECRET, new: SECRET }, activeKeyId: "new" });
  });

  it("selects KMS, leaving the allowed keys to the provider's default unless told otherwise", () => {
    const arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(readServiceConfig({ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KMS_KEY_ID: arn }).journal).toEqual({
      provider: "kms",
      keyId: arn,
      allowedKeyIds: undefined,
    });
    expect(
      readServiceConfig({
        RESTATE_IDENTITY_KEYS: KEY,
        JOURNAL_KMS_KEY_ID: arn,
        JOURNAL_KMS_ALLOWED_KEY_IDS: `${arn},alias/old`,
      }).journal,
    ).toEqual({ provider: "kms", keyId: arn, allowedKeyIds: [arn, "alias/old"] });
  });

  it("accepts unsigned requests only when asked to explicitly", () => {
    expect(readServiceConfig({ RESTATE_ALLOW_UNSIGNED: "true", JOURNAL_KEYS: `k=${SECRET}` }).identity).toEqual({
      allowUnsigned: true,
    });
    expect(failure({ RESTATE_ALLOW_UNSIGNED: "yes", JOURNAL_KEYS: `k=${SECRET}` }).code).toBe("missing_identity_keys");
  });

  it.each([
    [{ JOURNAL_KEYS: `k=${SECRET}` }, "missing_identity_keys", "RESTATE_IDENTITY_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: " , ", JOURNAL_KEYS: `k=${SECRET}` }, "missing_identity_keys", "RESTATE_IDENTITY_KEYS"],
    [
      { RESTATE_IDENTITY_KEYS: `${KEY},pk_nope`, JOURNAL_KEYS: `k=${SECRET}` },
      "invalid_identity_keys",
      "RESTATE_IDENTITY_KEYS",
    ],
    [{ RESTATE_IDENTITY_KEYS: KEY }, "missing_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: " ,\n " }, "missing_journal_keys", "JOURNAL_KEYS"],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS_FILE: "/etc/journal-keys" },
      "unsupported_setting",
      "JOURNAL_KEYS_FILE",
    ],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `__proto__=${SECRET}`, JOURNAL_ACTIVE_KEY_ID: "toString" },
      "unknown_active_key",
      "JOURNAL_ACTIVE_KEY_ID",
    ],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: SECRET }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `=${SECRET}` }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: "k=" }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: "k=c2hvcnQ=" }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a b=${SECRET}` }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `k=${SECRET},k=${SECRET}` }, "invalid_journal_keys", "JOURNAL_KEYS"],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${SECRET},b=${SECRET}` },
      "unknown_active_key",
      "JOURNAL_ACTIVE_KEY_ID",
    ],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${SECRET}`, JOURNAL_ACTIVE_KEY_ID: "b" },
      "unknown_active_key",
      "JOURNAL_ACTIVE_KEY_ID",
    ],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${SECRET}`, JOURNAL_KMS_KEY_ID: "alias/journal" },
      "ambiguous_journal_keys",
      "JOURNAL_KEYS",
    ],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${SECRET}`, JOURNAL_KEYS_FILE: "/etc/journal-keys" },
      "ambiguous_journal_keys",
      "JOURNAL_KEYS_FILE",
    ],
    [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KMS_KEY_ID: "alias/journal", JOURNAL_KEYS_FILE: "/etc/journal-keys" },
      "ambiguous_journal_keys",
      "JOURNAL_KEYS_FILE",
    ],
  ] as const)("refuses %o with %s naming %s", (env, code, variable) => {
    const error = failure(env);
    expect(error.code).toBe(code);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.retryable).toBe(false);
    expect(CONFIG_ERROR_CODES).toContain(error.code);
  });

  it("accepts identity keys separated by spaces or newlines as well as commas", () => {
    const other = KEY.replace("w7", "x8");
    expect(
      readServiceConfig({ RESTATE_IDENTITY_KEYS: `${KEY}\n ${other}`, JOURNAL_KEYS: `k=${SECRET}` }).identity,
    ).toEqual({
      keys: [KEY, other],
    });
  });

  it("treats an id named like an Object property as an ordinary key id", () => {
    const journal = readServiceConfig({ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `__proto__=${SECRET}` }).journal;
    expect(journal).toMatchObject({ provider: "local", activeKeyId: "__proto__" });
    expect(journal.provider === "local" && Object.entries(journal.keys)).toEqual([["__proto__", SECRET]]);
  });

  it("names the variables by what they mean, once", () => {
    expect(new Set(Object.values(SETTINGS)).size).toBe(Object.keys(SETTINGS).length);
  });
});

describe("JOURNAL_KEYS_FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "service-settings-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the keys from the file, one id=base64key pair per line", () => {
    const path = join(dir, "keys");
    writeFileSync(path, `old=${SECRET}\nnew=${SECRET}\n`);
    const config = readServiceConfig(
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS_FILE: path, JOURNAL_ACTIVE_KEY_ID: "new" },
      { readFile },
    );
    expect(config.journal).toEqual({ provider: "local", keys: { old: SECRET, new: SECRET }, activeKeyId: "new" });
  });

  it("names the file variable for a missing file, an empty file and a bad entry, never the content", () => {
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    const bad = join(dir, "bad");
    writeFileSync(bad, `k=${SECRET}\n${SECRET}\n`);
    const cases = [
      [join(dir, "missing"), "unreadable_key_file"],
      [empty, "missing_journal_keys"],
      [bad, "invalid_journal_keys"],
    ] as const;
    for (const [path, code] of cases) {
      const error = failure({ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS_FILE: path }, { readFile });
      expect(error.code).toBe(code);
      expect(error.variable).toBe("JOURNAL_KEYS_FILE");
      expect(error.message).not.toContain(SECRET);
    }
    expect(
      failure({ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS_FILE: join(dir, "missing") }, { readFile }).message,
    ).toContain("ENOENT");
  });

  it("never puts a secret value into an error message", () => {
    const secret = Buffer.from("a journal key that must never be printed").toString("base64");
    for (const env of [
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: secret },
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${secret},a=${secret}` },
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${secret},b=${secret}` },
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `a=${secret}`, JOURNAL_KMS_KEY_ID: "alias/x" },
      { RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KEYS: `${secret}=${secret}` },
    ]) {
      expect(failure(env).message).not.toContain(secret);
    }
  });
});

describe("secrets in errors", () => {
  it("no malformed JOURNAL_KEYS or JOURNAL_ACTIVE_KEY_ID value appears in the message", () => {
    // A marker prefix keeps a generated value from being, by chance, a piece of a fixed message.
    const secret = fc
      .string({ minLength: 4, maxLength: 60 })
      .filter((text) => !/[,\r\n]/.test(text))
      .map((text) => `Zq9${text}`.trim());
    fc.assert(
      fc.property(secret, fc.constantFrom("bare", "pair", "duplicate", "active"), (value, shape) => {
        const env: Record<string, string> = { RESTATE_IDENTITY_KEYS: KEY };
        if (shape === "bare") env.JOURNAL_KEYS = value;
        if (shape === "pair") env.JOURNAL_KEYS = `k=${value}`;
        if (shape === "duplicate") env.JOURNAL_KEYS = `k=${SECRET},k=${value}`;
        if (shape === "active") Object.assign(env, { JOURNAL_KEYS: `k=${SECRET}`, JOURNAL_ACTIVE_KEY_ID: value });
        let message: string | undefined;
        try {
          readServiceConfig(env);
        } catch (error) {
          message = (error as ConfigError).message;
        }
        // A value that happens to be valid is accepted; when refused, the message never repeats it.
        if (message !== undefined) expect(message).not.toContain(value);
      }),
    );
  });
});
