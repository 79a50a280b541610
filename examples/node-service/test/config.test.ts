import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clientConfigFromEnv, encryptionFromEnv, serviceConfigFromEnv } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");
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
  it("uses a local key from JOURNAL_KEY, with a default key id", () => {
    expect(encryptionFromEnv({ JOURNAL_KEY: KEY })).toEqual({ kind: "local", keyId: "local-1", key: KEY });
    expect(encryptionFromEnv({ JOURNAL_KEY: KEY, JOURNAL_KEY_ID: "2026-01" })).toMatchObject({ keyId: "2026-01" });
  });

  it("reads JOURNAL_KEY_FILE, trimming the trailing newline", () => {
    const dir = mkdtempSync(join(tmpdir(), "node-service-config-"));
    dirs.push(dir);
    const file = join(dir, "key");
    writeFileSync(file, `${KEY}\n`);
    expect(encryptionFromEnv({ JOURNAL_KEY_FILE: file })).toEqual({ kind: "local", keyId: "local-1", key: KEY });
    const missing = configError(() => encryptionFromEnv({ JOURNAL_KEY_FILE: join(dir, "nope") }));
    expect(missing).toMatchObject({ code: "invalid_setting", setting: "JOURNAL_KEY_FILE" });
    expect(missing.message).toContain("ENOENT");
  });

  it("switches to KMS when KMS_KEY_ID is set, and then needs a region", () => {
    expect(encryptionFromEnv({ KMS_KEY_ID: "alias/journal", AWS_REGION: "eu-central-1", JOURNAL_KEY: KEY })).toEqual({
      kind: "kms",
      keyId: "alias/journal",
      region: "eu-central-1",
      endpoint: undefined,
    });
    expect(
      encryptionFromEnv({
        KMS_KEY_ID: "k",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:5000",
      }),
    ).toMatchObject({ region: "us-east-1", endpoint: "http://127.0.0.1:5000" });
    expect(configError(() => encryptionFromEnv({ KMS_KEY_ID: "k" }))).toMatchObject({
      code: "missing_setting",
      setting: "AWS_REGION",
    });
  });

  it("refuses a missing key, both sources at once, and keys that are not 32 bytes of base64", () => {
    expect(configError(() => encryptionFromEnv({}))).toMatchObject({ code: "missing_setting", setting: "JOURNAL_KEY" });
    expect(configError(() => encryptionFromEnv({ JOURNAL_KEY: "   " }))).toMatchObject({ code: "missing_setting" });
    expect(configError(() => encryptionFromEnv({ JOURNAL_KEY: KEY, JOURNAL_KEY_FILE: "/x" }))).toMatchObject({
      code: "invalid_setting",
    });
    for (const bad of [
      Buffer.alloc(31).toString("base64"),
      Buffer.alloc(33).toString("base64"),
      "not base64!",
      `${KEY}x`,
    ]) {
      const error = configError(() => encryptionFromEnv({ JOURNAL_KEY: bad }));
      expect(error).toMatchObject({ code: "invalid_setting", setting: "JOURNAL_KEY" });
      // The message names the variable, never the (secret) value.
      expect(error.message).not.toContain(bad);
    }
  });
});

describe("serviceConfigFromEnv", () => {
  it("reads the port, the identity keys (comma or space separated) and the encryption settings", () => {
    const config = serviceConfigFromEnv({
      PORT: "9081",
      RESTATE_IDENTITY_KEYS: `${PUBLIC_KEY}, ${PUBLIC_KEY.replace("5A", "6A")}`,
      JOURNAL_KEY: KEY,
    });
    expect(config).toEqual({
      port: 9081,
      identityKeys: [PUBLIC_KEY, PUBLIC_KEY.replace("5A", "6A")],
      encryption: { kind: "local", keyId: "local-1", key: KEY },
    });
    expect(serviceConfigFromEnv({ RESTATE_IDENTITY_KEYS: PUBLIC_KEY, JOURNAL_KEY: KEY }).port).toBe(9080);
  });

  it("fails closed without identity keys and rejects bad ports", () => {
    expect(configError(() => serviceConfigFromEnv({ JOURNAL_KEY: KEY }))).toMatchObject({
      code: "missing_setting",
      setting: "RESTATE_IDENTITY_KEYS",
    });
    for (const port of ["0", "65536", "80.5", "http"]) {
      expect(
        configError(() => serviceConfigFromEnv({ PORT: port, RESTATE_IDENTITY_KEYS: PUBLIC_KEY, JOURNAL_KEY: KEY })),
      ).toMatchObject({ code: "invalid_setting", setting: "PORT" });
    }
  });
});

describe("clientConfigFromEnv", () => {
  it("defaults to a local ingress and passes the API key through", () => {
    expect(clientConfigFromEnv({ JOURNAL_KEY: KEY })).toMatchObject({
      ingressUrl: "http://localhost:8080",
      authToken: undefined,
    });
    expect(
      clientConfigFromEnv({
        JOURNAL_KEY: KEY,
        RESTATE_INGRESS_URL: "https://abc.env.us.restate.cloud",
        RESTATE_AUTH_TOKEN: "key_1",
      }),
    ).toMatchObject({ ingressUrl: "https://abc.env.us.restate.cloud", authToken: "key_1" });
  });

  it("rejects an ingress URL that is not http(s)", () => {
    for (const url of ["localhost:8080", "ftp://x", "::"]) {
      expect(configError(() => clientConfigFromEnv({ JOURNAL_KEY: KEY, RESTATE_INGRESS_URL: url }))).toMatchObject({
        code: "invalid_setting",
        setting: "RESTATE_INGRESS_URL",
      });
    }
  });
});
