import { type HclValue, hclAttributes, hclString, hclValue } from "./hcl.js";
import type { InvokerRoleSpec } from "./role.js";

/** The attributes of the two resources, each value an HCL expression whose strings went through `hclString`. */
export function terraformAttributes(spec: InvokerRoleSpec): {
  role: [string, string][];
  policy: [string, string][];
} {
  const role: [string, string][] = [
    ["name", hclString(spec.roleName)],
    ["path", hclString(spec.path)],
    ["max_session_duration", hclValue(spec.maxSessionDuration, "  ")],
    ["assume_role_policy", `jsonencode(${hclValue(spec.trustPolicy as unknown as HclValue, "  ")})`],
  ];
  if (spec.tags.length > 0) {
    const tags = Object.fromEntries(spec.tags.map((tag) => [tag.Key, tag.Value]));
    role.push(["tags", hclValue(tags, "  ")]);
  }
  const policy: [string, string][] = [
    ["name", hclString(spec.policyName)],
    ["role", "aws_iam_role.restate_invoker.id"],
    ["policy", `jsonencode(${hclValue(spec.invokePolicy as unknown as HclValue, "  ")})`],
  ];
  return { role, policy };
}

/**
 * Terraform (HCL) for the role: `aws_iam_role` with the trust policy, `aws_iam_role_policy` with
 * the invoke policy (both through `jsonencode`) and an output with the role ARN. Every string is
 * written as a literal Terraform never interpolates (`${` and `%{` are escaped). Terraform normalises
 * strings to Unicode NFC, so a tag that is not in NFC is refused (`unrenderable_value`).
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { invokerRole, restateCloudTrustPolicy, toTerraform } from "@restate-connect/lambda-invoker-role";
 *
 * const spec = invokerRole({
 *   trustPolicy: restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" }),
 *   functionArns: ["arn:aws:lambda:us-east-1:123456789012:function:greeter"],
 * });
 * writeFileSync("restate-invoker.tf", toTerraform(spec));
 * // terraform apply; then: terraform output restate_invoker_role_arn
 * ```
 */
export function toTerraform(spec: InvokerRoleSpec): string {
  const { role, policy } = terraformAttributes(spec);
  return [
    `resource "aws_iam_role" "restate_invoker" {\n${hclAttributes(role, "  ")}\n}`,
    `resource "aws_iam_role_policy" "restate_invoke" {\n${hclAttributes(policy, "  ")}\n}`,
    `output "restate_invoker_role_arn" {\n  description = "Pass to: restate deployments register <function-arn> --assume-role-arn <this>"\n  value       = aws_iam_role.restate_invoker.arn\n}`,
  ]
    .join("\n\n")
    .concat("\n");
}
