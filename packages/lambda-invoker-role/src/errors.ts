/** Every way input can be refused, as a closed union: branch on `error.code`, never on the message. */
export type InvokerRoleErrorCode =
  | "invalid_environment_id"
  | "invalid_region"
  | "invalid_arn"
  | "invalid_account_id"
  | "invalid_partition"
  | "invalid_function_name"
  | "invalid_qualifier"
  | "invalid_principal"
  | "invalid_external_id"
  | "invalid_role_name"
  | "invalid_role_path"
  | "invalid_tags"
  | "invalid_max_session_duration"
  | "invalid_function_list"
  | "partition_mismatch"
  | "invalid_policy";

/**
 * Thrown for input that cannot produce a correct policy. Nothing is ever silently accepted:
 * a wrong environment id, ARN, name or partition stops generation here.
 *
 * @example
 * ```ts
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

  constructor(code: InvokerRoleErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Shows a user-supplied value in an error message: quoted, and cut short when long. */
export function describeValue(value: unknown): string {
  if (typeof value !== "string") return value === undefined ? "nothing" : `a ${value === null ? "null" : typeof value}`;
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}
