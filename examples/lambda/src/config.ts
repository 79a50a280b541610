import { ExampleConfigError } from "./errors.ts";

/** What the Lambda handler needs, read from its environment (set by the CDK app). */
export interface HandlerConfig {
  /** `publickeyv1_…` keys of the Restate environment(s) allowed to call this function. */
  identityKeys: string[];
  /** ARN of the KMS key that wraps journal data keys. */
  kmsKeyArn: string;
}

export const ENV_IDENTITY_KEYS = "RESTATE_IDENTITY_KEYS";
export const ENV_KMS_KEY_ARN = "JOURNAL_KMS_KEY_ARN";

/**
 * Reads {@link HandlerConfig} from environment variables; fails closed with a typed error naming the
 * variable when one is missing or malformed (an unverified or unencrypted service never starts).
 *
 * @example
 * ```ts
 * const config = readHandlerConfig({ RESTATE_IDENTITY_KEYS: "publickeyv1_…", JOURNAL_KMS_KEY_ARN: "arn:aws:kms:…" });
 * ```
 */
export function readHandlerConfig(env: Record<string, string | undefined>): HandlerConfig {
  const keys = (env[ENV_IDENTITY_KEYS] ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  if (keys.length === 0) {
    throw new ExampleConfigError("missing_setting", `${ENV_IDENTITY_KEYS} must list at least one publickeyv1_… key`);
  }
  const kmsKeyArn = env[ENV_KMS_KEY_ARN]?.trim() ?? "";
  if (kmsKeyArn === "")
    throw new ExampleConfigError("missing_setting", `${ENV_KMS_KEY_ARN} must be set to the journal KMS key ARN`);
  if (!/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(kmsKeyArn)) {
    throw new ExampleConfigError(
      "invalid_setting",
      `${ENV_KMS_KEY_ARN} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
    );
  }
  return { identityKeys: keys, kmsKeyArn };
}
