import type { InvokerRoleSpec } from "./role.js";

type HclValue = string | number | readonly HclValue[] | { readonly [key: string]: HclValue };

// HCL string literals are JSON-like, but `${` and `%{` start templates: double their first character.
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

function hclValue(value: HclValue, indent: string): string {
  if (typeof value === "string") return hclString(value);
  if (typeof value === "number") return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item: HclValue) => `${inner}${hclValue(item, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: HclValue });
  if (entries.length === 0) return "{}";
  return `{\n${attributes(
    entries.map(([key, item]) => [hclString(key), hclValue(item, inner)]),
    inner,
  )}\n${indent}}`;
}

/**
 * Lines `key = value` aligned the way `terraform fmt` does: runs of single-line values share one
 * column for `=`; a multi-line value ends the run and is not padded.
 */
function attributes(entries: [string, string][], indent: string): string {
  const lines: string[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([key]) => key.length));
    for (const [key, value] of run) lines.push(`${indent}${key.padEnd(width)} = ${value}`);
    run = [];
  };
  for (const [key, value] of entries) {
    if (value.includes("\n")) {
      flush();
      lines.push(`${indent}${key} = ${value}`);
    } else {
      run.push([key, value]);
    }
  }
  flush();
  return lines.join("\n");
}

/**
 * Terraform (HCL) for the role: `aws_iam_role` with the trust policy, `aws_iam_role_policy` with
 * the invoke policy (both through `jsonencode`) and an output with the role ARN.
 *
 * @example
 * ```ts
 * writeFileSync("restate-invoker.tf", toTerraform(spec));
 * // terraform apply; then: terraform output restate_invoker_role_arn
 * ```
 */
export function toTerraform(spec: InvokerRoleSpec): string {
  const role: [string, string][] = [
    ["name", hclString(spec.roleName)],
    ["path", hclString(spec.path)],
    ["max_session_duration", String(spec.maxSessionDuration)],
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
  return [
    `resource "aws_iam_role" "restate_invoker" {\n${attributes(role, "  ")}\n}`,
    `resource "aws_iam_role_policy" "restate_invoke" {\n${attributes(policy, "  ")}\n}`,
    `output "restate_invoker_role_arn" {\n  description = "Pass to: restate deployments register <function-arn> --assume-role-arn <this>"\n  value       = aws_iam_role.restate_invoker.arn\n}`,
  ]
    .join("\n\n")
    .concat("\n");
}
