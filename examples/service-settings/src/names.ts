/**
 * The environment variables every example reads, by what they mean. Deployment code (the CDK stack,
 * wrangler bindings, tests) uses these constants instead of spelling the names again.
 */
export const SETTINGS = {
  /** Comma- or space-separated `publickeyv1_…` keys of the Restate environment(s) allowed to call. */
  identityKeys: "RESTATE_IDENTITY_KEYS",
  /** `true` to accept unsigned requests (local development only). */
  allowUnsigned: "RESTATE_ALLOW_UNSIGNED",
  /** Local journal keys: comma- or newline-separated `id=base64key` pairs (32-byte keys). */
  journalKeys: "JOURNAL_KEYS",
  /** A file holding the local journal keys in the `JOURNAL_KEYS` format (for secret mounts). */
  journalKeysFile: "JOURNAL_KEYS_FILE",
  /** The id of the local key that wraps new data keys (default: the only one). */
  journalActiveKeyId: "JOURNAL_ACTIVE_KEY_ID",
  /** AWS KMS key id or ARN (or alias) that wraps journal data keys: use KMS instead of local keys. */
  journalKmsKeyId: "JOURNAL_KMS_KEY_ID",
  /** Comma-separated KMS key ids/ARNs whose data keys may be unwrapped (default: the key itself). */
  journalKmsAllowedKeyIds: "JOURNAL_KMS_ALLOWED_KEY_IDS",
} as const;

export type SettingName = (typeof SETTINGS)[keyof typeof SETTINGS];
