import type { InvokerRoleSpec } from "./role.js";

/**
 * The role as the IAM API describes it (`CreateRole` + `PutRolePolicy` fields), pretty-printed JSON.
 *
 * @example
 * ```ts
 * const doc = JSON.parse(toIamJson(spec));
 * doc.AssumeRolePolicyDocument.Statement[0].Sid; // "RestateCloudAssumeRole"
 * ```
 */
export function toIamJson(spec: InvokerRoleSpec): string {
  return `${JSON.stringify(iamShape(spec), null, 2)}\n`;
}

/** The object `toIamJson` prints. */
export function iamShape(spec: InvokerRoleSpec) {
  return {
    RoleName: spec.roleName,
    Path: spec.path,
    MaxSessionDuration: spec.maxSessionDuration,
    AssumeRolePolicyDocument: spec.trustPolicy,
    Policies: [{ PolicyName: spec.policyName, PolicyDocument: spec.invokePolicy }],
    Tags: spec.tags,
  };
}
