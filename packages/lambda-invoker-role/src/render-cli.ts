import { describeValue, InvokerRoleError } from "./errors.js";
import type { InvokerRoleSpec } from "./role.js";

/**
 * Quotes one word for POSIX shells (and zsh): left bare only when it holds nothing a shell treats
 * specially, otherwise single-quoted with embedded single quotes written as '\''. A word starting
 * with `=` is quoted too: zsh expands `=name` to the path of the command `name`. A NUL cannot be
 * passed in an argument at all and is refused.
 */
export function shellQuote(word: string): string {
  if (word.includes("\0")) throw new InvokerRoleError("unrenderable_value", "a shell argument cannot contain NUL");
  if (/^[A-Za-z0-9_./:@,+-][A-Za-z0-9_./:=@,+-]*$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// The AWS CLI reads a parameter value that starts with one of these from a file or (AWS CLI v1) a URL.
const AWS_CLI_PARAM_PREFIX = /^\s*(?:file|fileb|https?):\/\//i;

function awsCliValue(value: string): string {
  if (AWS_CLI_PARAM_PREFIX.test(value)) {
    throw new InvokerRoleError(
      "unrenderable_value",
      `${describeValue(value)} starts like a file or URL, which the AWS CLI would read instead of passing it on`,
    );
  }
  return value;
}

/**
 * `--flag value` as words. A value that starts with `-` (IAM names may) is joined as `--flag=value`,
 * so the AWS CLI's argument parser cannot take it for an option of its own.
 */
function option(flag: string, value: string): string[] {
  const checked = awsCliValue(value);
  return checked.startsWith("-") ? [`${flag}=${checked}`] : [flag, checked];
}

/** The words of the three `aws` commands, before quoting. */
export function awsCliCommands(spec: InvokerRoleSpec): string[][] {
  const createRole = [
    "aws",
    "iam",
    "create-role",
    ...option("--role-name", spec.roleName),
    ...option("--path", spec.path),
    ...option("--max-session-duration", String(spec.maxSessionDuration)),
    ...option("--assume-role-policy-document", JSON.stringify(spec.trustPolicy)),
  ];
  if (spec.tags.length > 0) createRole.push(...option("--tags", JSON.stringify(spec.tags)));
  const putPolicy = [
    "aws",
    "iam",
    "put-role-policy",
    ...option("--role-name", spec.roleName),
    ...option("--policy-name", spec.policyName),
    ...option("--policy-document", JSON.stringify(spec.invokePolicy)),
  ];
  const getArn = [
    "aws",
    "iam",
    "get-role",
    ...option("--role-name", spec.roleName),
    "--query",
    "Role.Arn",
    "--output",
    "text",
  ];
  return [createRole, putPolicy, getArn];
}

/**
 * The exact AWS CLI commands that create the role and attach the invoke policy, for a POSIX shell.
 * Policy documents are passed inline as JSON, so the commands need no files. Every value is one
 * single-quoted shell word: nothing in it is expanded by the shell, and none starts with `file://`
 * or a URL scheme, which the AWS CLI would dereference.
 *
 * @example
 * ```ts
 * import { invokerRole, restateCloudTrustPolicy, toAwsCli } from "@restate-connect/lambda-invoker-role";
 *
 * const spec = invokerRole({
 *   trustPolicy: restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" }),
 *   functionArns: ["arn:aws:lambda:us-east-1:123456789012:function:greeter"],
 * });
 * console.log(toAwsCli(spec));
 * // aws iam create-role --role-name restate-invoker --path / ...
 * // aws iam put-role-policy --role-name restate-invoker --policy-name restate-invoke ...
 * ```
 */
export function toAwsCli(spec: InvokerRoleSpec): string {
  return `${awsCliCommands(spec)
    .map((words) => words.map(shellQuote).join(" "))
    .join("\n")}\n`;
}
