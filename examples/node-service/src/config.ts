import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** How journal values are encrypted: a local key (development) or an AWS KMS key. */
export type EncryptionConfig =
  | { kind: "local"; keyId: string; key: string }
  | { kind: "kms"; keyId: string; region: string; endpoint: string | undefined };

export interface ServiceConfig {
  port: number;
  /** `publickeyv1_…` keys of the Restate environment(s) allowed to call this service. */
  identityKeys: string[];
  encryption: EncryptionConfig;
}

export interface ClientConfig {
  ingressUrl: string;
  /** Restate Cloud API key (or anything your ingress expects as a bearer token). */
  authToken: string | undefined;
  encryption: EncryptionConfig;
}

/**
 * Reads the journal encryption settings. KMS wins when `KMS_KEY_ID` is set (it then needs a region);
 * otherwise a local key from `JOURNAL_KEY` (base64 of 32 bytes) or the file named by `JOURNAL_KEY_FILE`.
 *
 * @example
 * encryptionFromEnv({ JOURNAL_KEY: "q83vEjRWeJA…", JOURNAL_KEY_ID: "2026-01" });
 * // → { kind: "local", keyId: "2026-01", key: "q83vEjRWeJA…" }
 */
export function encryptionFromEnv(env: Env): EncryptionConfig {
  const kmsKeyId = nonEmpty(env, "KMS_KEY_ID");
  if (kmsKeyId !== undefined) {
    const region = nonEmpty(env, "AWS_REGION") ?? nonEmpty(env, "AWS_DEFAULT_REGION");
    if (region === undefined) {
      throw new ConfigError("missing_setting", "AWS_REGION", "KMS_KEY_ID is set, so an AWS region is needed too");
    }
    return { kind: "kms", keyId: kmsKeyId, region, endpoint: nonEmpty(env, "AWS_ENDPOINT_URL_KMS") };
  }
  const keyId = nonEmpty(env, "JOURNAL_KEY_ID") ?? "local-1";
  const inline = nonEmpty(env, "JOURNAL_KEY");
  const file = nonEmpty(env, "JOURNAL_KEY_FILE");
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(
      "invalid_setting",
      "JOURNAL_KEY_FILE",
      "set either JOURNAL_KEY or JOURNAL_KEY_FILE, not both",
    );
  }
  let key: string;
  let setting: string;
  if (inline !== undefined) {
    key = inline;
    setting = "JOURNAL_KEY";
  } else if (file !== undefined) {
    setting = "JOURNAL_KEY_FILE";
    try {
      key = readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new ConfigError(
        "invalid_setting",
        setting,
        `cannot read the key file (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  } else {
    throw new ConfigError(
      "missing_setting",
      "JOURNAL_KEY",
      "set JOURNAL_KEY (base64 of 32 random bytes: `openssl rand -base64 32`), JOURNAL_KEY_FILE, or KMS_KEY_ID",
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, "base64").length !== 32) {
    throw new ConfigError("invalid_setting", setting, "expected base64 of exactly 32 bytes");
  }
  return { kind: "local", keyId, key };
}

/**
 * Reads the service's settings: `PORT` (default 9080), `RESTATE_IDENTITY_KEYS` (required, comma or
 * space separated `publickeyv1_…` keys) and the journal encryption settings.
 */
export function serviceConfigFromEnv(env: Env): ServiceConfig {
  const portText = nonEmpty(env, "PORT") ?? "9080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError("invalid_setting", "PORT", "expected an integer between 1 and 65535");
  }
  const keysText = nonEmpty(env, "RESTATE_IDENTITY_KEYS");
  if (keysText === undefined) {
    throw new ConfigError(
      "missing_setting",
      "RESTATE_IDENTITY_KEYS",
      "the service only accepts requests signed by your Restate environment; set its publickeyv1_… key(s)",
    );
  }
  const identityKeys = keysText.split(/[\s,]+/).filter((key) => key !== "");
  return { port, identityKeys, encryption: encryptionFromEnv(env) };
}

/** Reads the client's settings: `RESTATE_INGRESS_URL` (default http://localhost:8080), `RESTATE_AUTH_TOKEN`. */
export function clientConfigFromEnv(env: Env): ClientConfig {
  const ingressUrl = nonEmpty(env, "RESTATE_INGRESS_URL") ?? "http://localhost:8080";
  try {
    const url = new URL(ingressUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new ConfigError("invalid_setting", "RESTATE_INGRESS_URL", "expected an http:// or https:// URL");
  }
  return { ingressUrl, authToken: nonEmpty(env, "RESTATE_AUTH_TOKEN"), encryption: encryptionFromEnv(env) };
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}
