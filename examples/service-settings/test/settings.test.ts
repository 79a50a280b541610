import { describe, expect, it } from "vitest";
import { ConfigError, type Environment, readServiceConfig } from "../src/index.js";

const KEY = "publickeyv1_w7YHemBctH5Ck2nQRQ47iBBqhNHy4FV7t2Usbye2A6f";
const SECRET = Buffer.alloc(32, 7).toString("base64");

function failure(env: Environment): ConfigError {
  try {
    readServiceConfig(env);
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

  it("selects KMS, allowing only the configured key for decoding unless told otherwise", () => {
    const arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(readServiceConfig({ RESTATE_IDENTITY_KEYS: KEY, JOURNAL_KMS_KEY_ID: arn }).journal).toEqual({
      provider: "kms",
      keyId: arn,
      allowedKeyIds: [arn],
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
  ])("refuses %o with %s naming %s", (env, code, variable) => {
    const error = failure(env);
    expect(error.code).toBe(code);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
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
