/**
 * Reads the service's security settings from environment variables, so the same build runs locally,
 * in preview and in production with different keys. Nothing here logs or echoes a secret value:
 * errors name the variable that is wrong, never its content.
 *
 * | variable                        | meaning                                                                 |
 * |---------------------------------|-------------------------------------------------------------------------|
 * | `RESTATE_IDENTITY_KEYS`         | comma-separated `publickeyv1_…` keys of the Restate environment(s)      |
 * | `RESTATE_ALLOW_UNSIGNED`        | `true` to accept unsigned requests (local development only)            |
 * | `JOURNAL_KEYS`                  | comma-separated `id=base64key` pairs (32-byte keys), local key provider |
 * | `JOURNAL_ACTIVE_KEY_ID`         | id in `JOURNAL_KEYS` that wraps new data keys (default: the only one)   |
 * | `JOURNAL_KMS_KEY_ID`            | AWS KMS key id/ARN: use KMS instead of `JOURNAL_KEYS`                   |
 * | `JOURNAL_KMS_ALLOWED_KEY_IDS`   | comma-separated KMS key ids/ARNs allowed for decoding (default: the key)|
 */

export type ConfigErrorCode =
  | "missing_identity_keys"
  | "invalid_identity_keys"
  | "missing_journal_keys"
  | "invalid_journal_keys"
  | "unknown_active_key"
  | "ambiguous_journal_keys";

/** A setting is missing or malformed. `variable` names the environment variable to fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly code: ConfigErrorCode,
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type IdentityConfig = { readonly keys: readonly string[] } | { readonly allowUnsigned: true };

export type JournalConfig =
  | { readonly provider: "local"; readonly keys: Readonly<Record<string, string>>; readonly activeKeyId: string }
  | { readonly provider: "kms"; readonly keyId: string; readonly allowedKeyIds: readonly string[] };

export interface ServiceConfig {
  readonly identity: IdentityConfig;
  readonly journal: JournalConfig;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Key ids are short labels such as `2026-11`; they are stored in every envelope, so they must not be secret. */
const KEY_ID = /^[A-Za-z0-9._-]{1,40}$/;
/** 32 bytes in standard base64 (44 characters with padding) or base64url without padding. */
const BASE64_32_BYTES = /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43})$/;

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function readIdentity(env: Environment): IdentityConfig {
  const keys = list(env.RESTATE_IDENTITY_KEYS);
  if (keys.length > 0) {
    const bad = keys.findIndex((key) => !key.startsWith("publickeyv1_"));
    if (bad >= 0)
      throw new ConfigError(
        "invalid_identity_keys",
        "RESTATE_IDENTITY_KEYS",
        `key ${bad} does not start with publickeyv1_`,
      );
    return { keys };
  }
  if (env.RESTATE_ALLOW_UNSIGNED === "true") return { allowUnsigned: true };
  throw new ConfigError(
    "missing_identity_keys",
    "RESTATE_IDENTITY_KEYS",
    "not set; give the public key(s) of your Restate environment (or RESTATE_ALLOW_UNSIGNED=true for local development)",
  );
}

function readJournal(env: Environment): JournalConfig {
  const kmsKeyId = env.JOURNAL_KMS_KEY_ID?.trim();
  const pairs = list(env.JOURNAL_KEYS);
  if (kmsKeyId && pairs.length > 0) {
    throw new ConfigError(
      "ambiguous_journal_keys",
      "JOURNAL_KEYS",
      "set either JOURNAL_KEYS or JOURNAL_KMS_KEY_ID, not both",
    );
  }
  if (kmsKeyId) {
    const allowed = list(env.JOURNAL_KMS_ALLOWED_KEY_IDS);
    return { provider: "kms", keyId: kmsKeyId, allowedKeyIds: allowed.length > 0 ? allowed : [kmsKeyId] };
  }
  if (pairs.length === 0) {
    throw new ConfigError(
      "missing_journal_keys",
      "JOURNAL_KEYS",
      "not set; give id=base64key pairs or JOURNAL_KMS_KEY_ID",
    );
  }
  const keys: Record<string, string> = {};
  const firstIndex = new Map<string, number>();
  pairs.forEach((pair, index) => {
    const separator = pair.indexOf("=");
    const id = separator > 0 ? pair.slice(0, separator).trim() : "";
    const key = separator > 0 ? pair.slice(separator + 1).trim() : "";
    // Messages name the entry by position only: a mistyped entry may be a bare secret.
    if (!KEY_ID.test(id) || key.length === 0) {
      throw new ConfigError("invalid_journal_keys", "JOURNAL_KEYS", `entry ${index} is not of the form id=base64key`);
    }
    if (!BASE64_32_BYTES.test(key)) {
      throw new ConfigError(
        "invalid_journal_keys",
        "JOURNAL_KEYS",
        `entry ${index}: the key is not 32 bytes in base64`,
      );
    }
    const earlier = firstIndex.get(id);
    if (earlier !== undefined) {
      throw new ConfigError("invalid_journal_keys", "JOURNAL_KEYS", `entries ${earlier} and ${index} have the same id`);
    }
    firstIndex.set(id, index);
    keys[id] = key;
  });
  const ids = Object.keys(keys);
  const activeKeyId = env.JOURNAL_ACTIVE_KEY_ID?.trim() || (ids.length === 1 ? ids[0] : undefined);
  if (activeKeyId === undefined) {
    throw new ConfigError(
      "unknown_active_key",
      "JOURNAL_ACTIVE_KEY_ID",
      "not set; required when JOURNAL_KEYS holds several keys",
    );
  }
  if (!(activeKeyId in keys)) {
    throw new ConfigError(
      "unknown_active_key",
      "JOURNAL_ACTIVE_KEY_ID",
      `"${activeKeyId}" is not an id in JOURNAL_KEYS`,
    );
  }
  return { provider: "local", keys, activeKeyId };
}

/**
 * Parses and validates the environment. Throws {@link ConfigError} on the first problem.
 *
 * @example
 * ```ts
 * const config = readServiceConfig({
 *   RESTATE_IDENTITY_KEYS: "publickeyv1_w7YHemBctH5Ck2nQRQ47iBBqhNHy4FV7t2Usbye2A6f",
 *   JOURNAL_KEYS: "2026-11=q83vEjRWeJ…=",
 * });
 * config.journal.provider; // "local"
 * ```
 */
export function readServiceConfig(env: Environment): ServiceConfig {
  return { identity: readIdentity(env), journal: readJournal(env) };
}
