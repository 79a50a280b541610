/** Every way this package can refuse or fail, as one closed list: branch on `error.code`, never on the message. */
export const INVOKER_ROLE_ERROR_CODES = [
  "invalid_option",
  "invalid_environment_id",
  "invalid_arn",
  "invalid_account_id",
  "invalid_partition",
  "invalid_function_name",
  "invalid_qualifier",
  "invalid_principal",
  "invalid_external_id",
  "invalid_role_name",
  "invalid_role_path",
  "invalid_tags",
  "invalid_max_session_duration",
  "invalid_function_list",
  "partition_mismatch",
  "invalid_policy",
  "unrenderable_value",
  "sts_failed",
] as const;

/** One of {@link INVOKER_ROLE_ERROR_CODES}. */
export type InvokerRoleErrorCode = (typeof INVOKER_ROLE_ERROR_CODES)[number];

/**
 * Thrown for input that cannot produce a correct policy, and for STS calls that fail. Nothing is
 * ever silently accepted: a wrong environment id, ARN, name or partition stops generation here.
 *
 * `retryable` is true only for `sts_failed` caused by the network or throttling; every refusal of
 * input is final.
 *
 * @example
 * ```ts
 * import { InvokerRoleError, restateCloudTrustPolicy } from "@restate-connect/lambda-invoker-role";
 *
 * try {
 *   restateCloudTrustPolicy({ environmentId: "env-123" });
 * } catch (error) {
 *   if (error instanceof InvokerRoleError && error.code === "invalid_environment_id") console.error(error.message);
 * }
 * ```
 */
export class InvokerRoleError extends Error {
  override readonly name = "InvokerRoleError";
  readonly code: InvokerRoleErrorCode;
  readonly retryable: boolean;

  constructor(code: InvokerRoleErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Shows a user-supplied value in a message: quoted, cut short when long, and with every control
 * character escaped (C0 and C1, so no terminal escape sequence survives into a CLI's output).
 */
export function describeValue(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "nothing" : `a ${value === null ? "null" : typeof value}`;
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown).replace(
    /[\u007f-\u009f\u2028\u2029\p{Cs}]/gu,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}
