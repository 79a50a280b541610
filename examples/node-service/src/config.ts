import { readFileSync } from "node:fs";
import {
  ConfigError,
  type Environment,
  type JournalConfig,
  readIdentityConfig,
  readJournalConfig,
  SETTINGS,
} from "@restate-connect/example-service-settings";

/**
 * How journal values are encrypted: the shared journal settings (local keys, or a KMS key), plus,
 * for KMS, where the AWS SDK reaches KMS (the AWS SDK's own variables).
 */
export type EncryptionConfig =
  | Extract<JournalConfig, { provider: "local" }>
  | (Extract<JournalConfig, { provider: "kms" }> & { readonly region: string; readonly endpoint: string | undefined });

export interface ServiceConfig {
  port: number;
  /** `publickeyv1_…` keys of the Restate environment(s) allowed to call this service. */
  identityKeys: readonly string[];
  encryption: EncryptionConfig;
}

export interface ClientConfig {
  ingressUrl: string;
  /** Restate Cloud API key (or anything your ingress expects as a bearer token). */
  authToken: string | undefined;
  encryption: EncryptionConfig;
}

/** Node reads key files; runtimes without a file system do not get this option. */
const readFile = (path: string): string => readFileSync(path, "utf8");

/**
 * Reads the journal encryption settings (`JOURNAL_KEYS`, `JOURNAL_KEYS_FILE`, `JOURNAL_ACTIVE_KEY_ID`,
 * or `JOURNAL_KMS_KEY_ID` with `JOURNAL_KMS_ALLOWED_KEY_IDS`; see examples/service-settings). With
 * KMS, the region comes from `AWS_REGION` (or `AWS_DEFAULT_REGION`) and an endpoint override from
 * `AWS_ENDPOINT_URL_KMS`, the AWS SDK's own names.
 *
 * @example
 * encryptionFromEnv({ JOURNAL_KEYS: "2026-01=q83vEjRWeJA…=" });
 * // → { provider: "local", keys: { "2026-01": "q83vEjRWeJA…=" }, activeKeyId: "2026-01" }
 */
export function encryptionFromEnv(env: Environment): EncryptionConfig {
  const journal = readJournalConfig(env, { readFile });
  if (journal.provider === "local") return journal;
  const region = text(env, "AWS_REGION") ?? text(env, "AWS_DEFAULT_REGION");
  if (region === undefined) {
    throw new ConfigError(
      "missing_setting",
      "AWS_REGION",
      `${SETTINGS.journalKmsKeyId} is set, so an AWS region is needed too`,
    );
  }
  return { ...journal, region, endpoint: text(env, "AWS_ENDPOINT_URL_KMS") };
}

/**
 * Reads the service's settings: `PORT` (default 9080), `RESTATE_IDENTITY_KEYS` (required: this
 * service always verifies request identity) and the journal encryption settings.
 */
export function serviceConfigFromEnv(env: Environment): ServiceConfig {
  const portText = text(env, "PORT") ?? "9080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError("invalid_setting", "PORT", "expected an integer between 1 and 65535");
  }
  const identity = readIdentityConfig(env);
  if (!("keys" in identity)) {
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.allowUnsigned,
      `this service always verifies request identity; set ${SETTINGS.identityKeys}`,
    );
  }
  return { port, identityKeys: identity.keys, encryption: encryptionFromEnv(env) };
}

/** Reads the client's settings: `RESTATE_INGRESS_URL` (default http://localhost:8080), `RESTATE_AUTH_TOKEN`. */
export function clientConfigFromEnv(env: Environment): ClientConfig {
  const ingressUrl = text(env, "RESTATE_INGRESS_URL") ?? "http://localhost:8080";
  try {
    const url = new URL(ingressUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new ConfigError("invalid_setting", "RESTATE_INGRESS_URL", "expected an http:// or https:// URL");
  }
  return { ingressUrl, authToken: text(env, "RESTATE_AUTH_TOKEN"), encryption: encryptionFromEnv(env) };
}

function text(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}
