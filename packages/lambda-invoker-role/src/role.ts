import { assertIamName, assertIamPath } from "./arn.js";
import { describeValue, InvokerRoleError } from "./errors.js";
import { analyseInvokePolicy } from "./invoke-policy.js";
import type { PolicyDocument } from "./policy.js";
import { type TrustPolicyInfo, trustPolicyInfo } from "./trust-policy.js";

export interface InvokerRoleOptions {
  /** Default `restate-invoker`. */
  readonly roleName?: string;
  /** Default `/`. */
  readonly path?: string;
  /** From `restateCloudTrustPolicy` or `selfHostedTrustPolicy`. */
  readonly trustPolicy: PolicyDocument;
  /** The functions the role may invoke; see `invokePolicy`. */
  readonly functionArns: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Seconds, 3600 (default) to 43200. */
  readonly maxSessionDuration?: number;
}

/** Everything needed to create the role, ready for any renderer. */
export interface InvokerRoleSpec {
  readonly roleName: string;
  readonly path: string;
  readonly trustPolicy: PolicyDocument;
  /** What the trust policy trusts. */
  readonly trust: TrustPolicyInfo;
  readonly policyName: string;
  readonly invokePolicy: PolicyDocument;
  readonly functionArns: readonly string[];
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  readonly maxSessionDuration: number;
}

/** Name of the inline policy that carries the invoke permissions. */
export const INVOKE_POLICY_NAME = "restate-invoke";

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/**
 * Builds a validated invoker role: trust policy, inline invoke policy, name, path, tags and
 * session duration. Refuses a trust policy and functions from different partitions — in
 * particular a Restate Cloud trust policy (partition `aws`) for functions in `aws-cn`/`aws-us-gov`,
 * since roles cannot be assumed across partitions.
 *
 * @example
 * ```ts
 * import { invokerRole, restateCloudTrustPolicy, toCloudFormation } from "@restate-connect/lambda-invoker-role";
 *
 * const spec = invokerRole({
 *   trustPolicy: restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" }),
 *   functionArns: ["arn:aws:lambda:us-east-1:123456789012:function:greeter"],
 * });
 * console.log(toCloudFormation(spec, { format: "yaml" }));
 * ```
 */
export function invokerRole(options: InvokerRoleOptions): InvokerRoleSpec {
  if (!options || typeof options !== "object") {
    throw new InvokerRoleError(
      "invalid_option",
      "invokerRole needs an options object with trustPolicy and functionArns",
    );
  }
  const settings = roleSettings(options);
  const trust = trustPolicyInfo(options.trustPolicy);
  const invoke = analyseInvokePolicy({ functionArns: options.functionArns });
  if (invoke.partition !== trust.partition) {
    const why =
      trust.kind === "restate-cloud"
        ? `Restate Cloud runs only in the aws partition and cannot assume a role in ${invoke.partition}; use a self-hosted Restate server there`
        : `the trusted principal ${trust.principalArn} is in ${trust.partition}; roles cannot be assumed across partitions`;
    throw new InvokerRoleError("partition_mismatch", `functions are in partition ${invoke.partition}: ${why}`);
  }
  return {
    roleName: settings.roleName,
    path: settings.path,
    trustPolicy: options.trustPolicy,
    trust,
    policyName: INVOKE_POLICY_NAME,
    invokePolicy: invoke.document,
    functionArns: invoke.functions.map((fn) => fn.arn),
    tags: settings.tags,
    maxSessionDuration: settings.maxSessionDuration,
  };
}

/** Validates and defaults name, path, tags and session duration (shared with the CDK construct). */
export function roleSettings(options: Pick<InvokerRoleOptions, "roleName" | "path" | "tags" | "maxSessionDuration">) {
  const roleName = options?.roleName ?? "restate-invoker";
  assertIamName(roleName, "role name");
  const path = options.path ?? "/";
  assertIamPath(path);
  const maxSessionDuration = options.maxSessionDuration ?? 3600;
  if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
    throw new InvokerRoleError(
      "invalid_max_session_duration",
      `maxSessionDuration must be a whole number of seconds from 3600 to 43200, got ${describeValue(String(maxSessionDuration))}`,
    );
  }
  return { roleName, path, maxSessionDuration, tags: validateTags(options.tags ?? {}) };
}

function validateTags(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
    throw new InvokerRoleError("invalid_tags", "tags must be an object of key → value strings");
  }
  const entries = Object.entries(tags);
  if (entries.length > 50) throw new InvokerRoleError("invalid_tags", `at most 50 tags, got ${entries.length}`);
  return entries.map(([key, value]) => {
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith("aws:")) {
      throw new InvokerRoleError(
        "invalid_tags",
        `tag key ${describeValue(key)} must be 1-128 letters, digits, spaces or _.:/=+-@ and must not start with aws:`,
      );
    }
    if (typeof value !== "string" || !TAG_VALUE.test(value)) {
      throw new InvokerRoleError(
        "invalid_tags",
        `value of tag ${describeValue(key)} must be 0-256 letters, digits, spaces or _.:/=+-@, got ${describeValue(value)}`,
      );
    }
    return { Key: key, Value: value };
  });
}
