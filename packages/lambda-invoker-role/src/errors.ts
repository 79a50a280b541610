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
    // Messages quote input (policies, flags, AWS answers): whatever path a value took into one,
    // it reaches a terminal only as visible text.
    super(printable(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

// Control characters (C0, DEL, C1 such as the one-byte CSI U+009B), format characters (bidi
// overrides and isolates that reorder what a terminal shows, zero-width characters, the BOM),
// line and paragraph separators, and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * `text` with every character a terminal would act on or hide written as `\uNNNN`, so no escape
 * sequence or bidi override from a policy, flag or AWS answer survives into a CLI's output.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, "0")}`);
}

/**
 * Shows a user-supplied value in a message: quoted, cut short when long, and with every control,
 * format (bidi) and separator character escaped (see {@link printable}).
 */
export function describeValue(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "nothing" : `a ${value === null ? "null" : typeof value}`;
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return printable(JSON.stringify(shown));
}
