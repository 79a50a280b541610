import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@restate-connect/example-service-settings";
import { afterEach, describe, expect, it } from "vitest";
import { clientConfigFromEnv, encryptionFromEnv, serviceConfigFromEnv } from "../src/config.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");
const KEYS = `local-1=${KEY}`;
const PUBLIC_KEY = "publickeyv1_5ABu9Ag3AF7JnnUpaxvzfSJf4nqxj3LbyLDCdGJbfQ5o";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe("encryptionFromEnv", () => {
  it("uses the local keys from JOURNAL_KEYS", () => {
    expect(encryptionFromEnv({ JOURNAL_KEYS: KEYS })).toEqual({
      provider: "local",
      keys: { "local-1": KEY },
      activeKeyId: "local-1",
    });
  });

  it("reads JOURNAL_KEYS_FILE from the file system, naming the variable when the file is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "node-service-config-"));
    dirs.push(dir);
    const file = join(dir, "keys");
    writeFileSync(file, `old=${KEY}\nnew=${KEY}\n`);
    expect(encryptionFromEnv({ JOURNAL_KEYS_FILE: file, JOURNAL_ACTIVE_KEY_ID: "new" })).toEqual({
      provider: "local",
      keys: { old: KEY, new: KEY },
      activeKeyId: "new",
    });
    const missing = configError(() => encryptionFromEnv({ JOURNAL_KEYS_FILE: join(dir, "nope") }));
    expect(missing).toMatchObject({ code: "unreadable_key_file", variable: "JOURNAL_KEYS_FILE" });
    expect(missing.message).toContain("ENOENT");
  });

  it("switches to KMS when JOURNAL_KMS_KEY_ID is set, and then needs a region", () => {
    expect(encryptionFromEnv({ JOURNAL_KMS_KEY_ID: "alias/journal", AWS_REGION: "eu-central-1" })).toEqual({
      provider: "kms",
      keyId: "alias/journal",
      allowedKeyIds: undefined,
      region: "eu-central-1",
      endpoint: undefined,
    });
    expect(
      encryptionFromEnv({
        JOURNAL_KMS_KEY_ID: "k",
        JOURNAL_KMS_ALLOWED_KEY_IDS: "k,old",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:5000",
      }),
    ).toMatchObject({ allowedKeyIds: ["k", "old"], region: "us-east-1", endpoint: "http://127.0.0.1:5000" });
    expect(configError(() => encryptionFromEnv({ JOURNAL_KMS_KEY_ID: "k" }))).toMatchObject({
      code: "missing_setting",
      variable: "AWS_REGION",
    });
  });

  it("refuses no keys, two sources at once, and keys that are not 32 bytes of base64, never echoing them", () => {
    expect(configError(() => encryptionFromEnv({}))).toMatchObject({
      code: "missing_journal_keys",
      variable: "JOURNAL_KEYS",
    });
    expect(
      configError(() => encryptionFromEnv({ JOURNAL_KEYS: KEYS, JOURNAL_KMS_KEY_ID: "k", AWS_REGION: "us-east-1" })),
    ).toMatchObject({ code: "ambiguous_journal_keys" });
    for (const bad of [Buffer.alloc(31).toString("base64"), Buffer.alloc(33).toString("base64"), `${KEY}x`]) {
      const error = configError(() => encryptionFromEnv({ JOURNAL_KEYS: `k=${bad}` }));
      expect(error).toMatchObject({ code: "invalid_journal_keys", variable: "JOURNAL_KEYS" });
      expect(error.message).not.toContain(bad);
    }
  });
});

describe("serviceConfigFromEnv", () => {
  it("reads the port, the identity keys (comma or space separated) and the encryption settings", () => {
    const config = serviceConfigFromEnv({
      PORT: "9081",
      RESTATE_IDENTITY_KEYS: `${PUBLIC_KEY}, ${PUBLIC_KEY.replace("5A", "6A")}`,
      JOURNAL_KEYS: KEYS,
    });
    expect(config).toEqual({
      port: 9081,
      identityKeys: [PUBLIC_KEY, PUBLIC_KEY.replace("5A", "6A")],
      encryption: { provider: "local", keys: { "local-1": KEY }, activeKeyId: "local-1" },
    });
    expect(serviceConfigFromEnv({ RESTATE_IDENTITY_KEYS: PUBLIC_KEY, JOURNAL_KEYS: KEYS }).port).toBe(9080);
  });

  it("fails closed without identity keys, even when unsigned requests are allowed, and rejects bad ports", () => {
    expect(configError(() => serviceConfigFromEnv({ JOURNAL_KEYS: KEYS }))).toMatchObject({
      code: "missing_identity_keys",
      variable: "RESTATE_IDENTITY_KEYS",
    });
    expect(
      configError(() => serviceConfigFromEnv({ RESTATE_ALLOW_UNSIGNED: "true", JOURNAL_KEYS: KEYS })),
    ).toMatchObject({ code: "unsupported_setting", variable: "RESTATE_ALLOW_UNSIGNED" });
    for (const port of ["0", "65536", "80.5", "http"]) {
      expect(
        configError(() => serviceConfigFromEnv({ PORT: port, RESTATE_IDENTITY_KEYS: PUBLIC_KEY, JOURNAL_KEYS: KEYS })),
      ).toMatchObject({ code: "invalid_setting", variable: "PORT" });
    }
  });
});

describe("clientConfigFromEnv", () => {
  it("defaults to a local ingress and passes the API key through", () => {
    expect(clientConfigFromEnv({ JOURNAL_KEYS: KEYS })).toMatchObject({
      ingressUrl: "http://localhost:8080",
      authToken: undefined,
    });
    expect(
      clientConfigFromEnv({
        JOURNAL_KEYS: KEYS,
        RESTATE_INGRESS_URL: "https://abc.env.us.restate.cloud",
        RESTATE_AUTH_TOKEN: "key_1",
      }),
    ).toMatchObject({ ingressUrl: "https://abc.env.us.restate.cloud", authToken: "key_1" });
  });

  it("rejects an ingress URL that is not http(s)", () => {
    for (const url of ["localhost:8080", "ftp://x", "::"]) {
      expect(configError(() => clientConfigFromEnv({ JOURNAL_KEYS: KEYS, RESTATE_INGRESS_URL: url }))).toMatchObject({
        code: "invalid_setting",
        variable: "RESTATE_INGRESS_URL",
      });
    }
  });
});
