import type { InvokerRoleSpec } from "./role.js";

/** Quotes one word for POSIX shells: single quotes, with embedded ones as '\''. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@,+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact AWS CLI commands that create the role and attach the invoke policy, for a POSIX shell.
 * Policy documents are passed inline as JSON, so the commands need no files.
 *
 * @example
 * ```ts
 * console.log(toAwsCli(spec));
 * // aws iam create-role --role-name restate-invoker --path / ...
 * // aws iam put-role-policy --role-name restate-invoker --policy-name restate-invoke ...
 * ```
 */
export function toAwsCli(spec: InvokerRoleSpec): string {
  const createRole = [
    "aws",
    "iam",
    "create-role",
    "--role-name",
    spec.roleName,
    "--path",
    spec.path,
    "--max-session-duration",
    String(spec.maxSessionDuration),
    "--assume-role-policy-document",
    JSON.stringify(spec.trustPolicy),
  ];
  if (spec.tags.length > 0) createRole.push("--tags", JSON.stringify(spec.tags));
  const putPolicy = [
    "aws",
    "iam",
    "put-role-policy",
    "--role-name",
    spec.roleName,
    "--policy-name",
    spec.policyName,
    "--policy-document",
    JSON.stringify(spec.invokePolicy),
  ];
  const getArn = ["aws", "iam", "get-role", "--role-name", spec.roleName, "--query", "Role.Arn", "--output", "text"];
  return `${[createRole, putPolicy, getArn].map((words) => words.map(shellQuote).join(" ")).join("\n")}\n`;
}
