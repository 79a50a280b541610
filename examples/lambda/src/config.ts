import {
  ConfigError,
  type Environment,
  type JournalConfig,
  readIdentityConfig,
  readJournalConfig,
  SETTINGS,
} from "@restate-connect/example-service-settings";

/** What the Lambda handler needs, read from its environment (set by the CDK app). */
export interface HandlerConfig {
  /** `publickeyv1_…` keys of the Restate environment(s) allowed to call this function. */
  identityKeys: readonly string[];
  /** ARN of the KMS key that wraps journal data keys. */
  kmsKeyArn: string;
  /** KMS keys whose data keys may be unwrapped; undefined: the key itself. */
  allowedKeyIds?: readonly string[];
}

const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/**
 * Reads {@link HandlerConfig} with the settings every example shares (`RESTATE_IDENTITY_KEYS`,
 * `JOURNAL_KMS_KEY_ID`, `JOURNAL_KMS_ALLOWED_KEY_IDS`; see examples/service-settings). This function
 * always verifies identity and always uses KMS, and its key policy names the key by ARN, so it also
 * refuses `RESTATE_ALLOW_UNSIGNED`, local journal keys, and a KMS key given by id or alias. Fails
 * closed with a typed `ConfigError` naming the variable, never echoing a value.
 *
 * @example
 * ```ts
 * const config = readHandlerConfig({ RESTATE_IDENTITY_KEYS: "publickeyv1_…", JOURNAL_KMS_KEY_ID: "arn:aws:kms:…" });
 * ```
 */
export function readHandlerConfig(env: Environment): HandlerConfig {
  const identity = readIdentityConfig(env);
  if (!("keys" in identity)) {
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.allowUnsigned,
      `this function always verifies request identity; set ${SETTINGS.identityKeys}`,
    );
  }
  const journal = readJournal(env);
  if (journal.provider !== "kms") {
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.journalKeys,
      `this function encrypts with KMS; set ${SETTINGS.journalKmsKeyId} instead`,
    );
  }
  if (!KMS_KEY_ARN.test(journal.keyId)) {
    throw new ConfigError(
      "invalid_setting",
      SETTINGS.journalKmsKeyId,
      "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    );
  }
  return {
    identityKeys: identity.keys,
    kmsKeyArn: journal.keyId,
    ...(journal.allowedKeyIds ? { allowedKeyIds: journal.allowedKeyIds } : {}),
  };
}

function readJournal(env: Environment): JournalConfig {
  try {
    return readJournalConfig(env);
  } catch (error) {
    // Named for what this function needs, rather than the local keys the shared reader asks for.
    if (error instanceof ConfigError && error.code === "missing_journal_keys") {
      throw new ConfigError("missing_journal_keys", SETTINGS.journalKmsKeyId, "must be set to the journal KMS key ARN");
    }
    throw error;
  }
}
