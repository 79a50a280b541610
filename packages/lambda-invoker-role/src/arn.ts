import { describeValue, InvokerRoleError } from "./errors.js";

/** The AWS partitions this package generates policies for. */
export type Partition = "aws" | "aws-cn" | "aws-us-gov";
export const PARTITIONS: readonly Partition[] = ["aws", "aws-cn", "aws-us-gov"];

/** The parts of an ARN: `arn:partition:service:region:account-id:resource`. */
export interface ParsedArn {
  readonly partition: Partition;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

/** A Lambda function ARN, with or without a version/alias qualifier. */
export interface FunctionArn {
  readonly arn: string;
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  /** `$LATEST`, a version number or an alias name; undefined for an unqualified ARN. */
  readonly qualifier: string | undefined;
  /** The ARN without the qualifier. */
  readonly unqualifiedArn: string;
}

/** An IAM principal that can assume a role: a role or a user. */
export interface PrincipalArn {
  readonly arn: string;
  readonly partition: Partition;
  readonly accountId: string;
  readonly kind: "role" | "user";
  /** Path and name, e.g. `service-role/restate-task`. */
  readonly name: string;
}

const ACCOUNT_ID = /^\d{12}$/;
// Regions by partition: aws-cn uses cn-*, aws-us-gov uses us-gov-*, aws the other `xx-direction-N`
// names. ISO partitions (us-iso-*, us-isob-*) and others are not supported and do not match.
const REGION = /^(?:(us-gov|cn)|[a-z]{2})-[a-z]+-\d{1,2}$/;
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const VERSION = /^(?:\$LATEST|[1-9]\d{0,15})$/;
const ALIAS = /^(?!^\d+$)[a-zA-Z0-9_-]{1,128}$/;
// IAM names: letters, digits and +=,.@_- ; a path is / or /segments/ of printable ASCII.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_PATH_SEGMENTS = /^\/(?:[\x21-\x2e\x30-\x7e]+\/)*$/;

/**
 * Checks a 12-digit AWS account id.
 *
 * @example
 * ```ts
 * assertAccountId("123456789012"); // ok
 * assertAccountId("12345");        // throws InvokerRoleError("invalid_account_id")
 * ```
 */
export function assertAccountId(value: unknown, what = "account id"): asserts value is string {
  if (typeof value !== "string" || !ACCOUNT_ID.test(value)) {
    throw new InvokerRoleError("invalid_account_id", `${what} must be exactly 12 digits, got ${describeValue(value)}`);
  }
}

/** Returns the partition a region belongs to, or throws when the region is not a valid AWS region name. */
export function partitionOfRegion(region: string): Partition {
  const match = REGION.exec(region);
  if (!match) throw new InvokerRoleError("invalid_arn", `${describeValue(region)} is not an AWS region name`);
  if (match[1] === "cn") return "aws-cn";
  if (match[1] === "us-gov") return "aws-us-gov";
  return "aws";
}

/**
 * Splits an ARN into its parts; the partition must be `aws`, `aws-cn` or `aws-us-gov`.
 *
 * @example
 * ```ts
 * parseArn("arn:aws:iam::123456789012:role/restate").accountId; // "123456789012"
 * ```
 */
export function parseArn(value: unknown): ParsedArn {
  if (typeof value !== "string")
    throw new InvokerRoleError("invalid_arn", `expected an ARN, got ${describeValue(value)}`);
  if (value.length > 2048) throw new InvokerRoleError("invalid_arn", "an ARN is at most 2048 characters");
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    throw new InvokerRoleError(
      "invalid_arn",
      `${describeValue(value)} is not an ARN (expected arn:partition:service:region:account-id:resource)`,
    );
  }
  const [, partition = "", service = "", region = "", accountId = ""] = parts;
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    throw new InvokerRoleError(
      "invalid_partition",
      `${describeValue(value)} has partition ${describeValue(partition)}; expected one of ${PARTITIONS.join(", ")}`,
    );
  }
  if (!/^[a-z0-9-]+$/.test(service)) {
    throw new InvokerRoleError("invalid_arn", `${describeValue(value)} has no valid service name`);
  }
  const resource = parts.slice(5).join(":");
  if (resource.length === 0) throw new InvokerRoleError("invalid_arn", `${describeValue(value)} has an empty resource`);
  if (/[\s*?]/.test(value)) {
    throw new InvokerRoleError(
      "invalid_arn",
      `${describeValue(value)} contains whitespace or wildcards; name one exact resource`,
    );
  }
  return { partition: partition as Partition, service, region, accountId, resource };
}

/**
 * Parses a Lambda function ARN (`arn:aws:lambda:eu-central-1:123456789012:function:name[:qualifier]`),
 * checking the function name and qualifier against Lambda's rules and the region against the partition.
 *
 * @example
 * ```ts
 * parseFunctionArn("arn:aws:lambda:eu-central-1:123456789012:function:greeter:7").qualifier; // "7"
 * ```
 */
export function parseFunctionArn(value: unknown): FunctionArn {
  const arn = parseArn(value);
  const text = value as string;
  if (arn.service !== "lambda") {
    throw new InvokerRoleError("invalid_arn", `${describeValue(text)} is not a Lambda ARN (service is ${arn.service})`);
  }
  const regionPartition = partitionOfRegion(arn.region);
  if (regionPartition !== arn.partition) {
    throw new InvokerRoleError(
      "partition_mismatch",
      `${describeValue(text)}: region ${arn.region} belongs to partition ${regionPartition}, not ${arn.partition}`,
    );
  }
  assertAccountId(arn.accountId, `account id in ${describeValue(text)}`);
  const resourceParts = arn.resource.split(":");
  if (resourceParts[0] !== "function" || resourceParts.length < 2 || resourceParts.length > 3) {
    throw new InvokerRoleError(
      "invalid_arn",
      `${describeValue(text)} is not a function ARN (expected ...:function:name or ...:function:name:qualifier)`,
    );
  }
  const functionName = resourceParts[1] ?? "";
  if (!FUNCTION_NAME.test(functionName)) {
    throw new InvokerRoleError(
      "invalid_function_name",
      `function name ${describeValue(functionName)} must be 1-64 letters, digits, hyphens or underscores`,
    );
  }
  const qualifier = resourceParts[2];
  if (qualifier !== undefined && !VERSION.test(qualifier) && !ALIAS.test(qualifier)) {
    throw new InvokerRoleError(
      "invalid_qualifier",
      `qualifier ${describeValue(qualifier)} is neither $LATEST, a version number nor an alias name (1-128 letters, digits, - or _, not all digits)`,
    );
  }
  const unqualifiedArn = `arn:${arn.partition}:lambda:${arn.region}:${arn.accountId}:function:${functionName}`;
  return {
    arn: text,
    partition: arn.partition,
    region: arn.region,
    accountId: arn.accountId,
    functionName,
    qualifier,
    unqualifiedArn,
  };
}

/**
 * Parses the ARN of an IAM role or user that is to be trusted (for a self-hosted Restate server,
 * usually its ECS task role or EC2 instance role). Session ARNs (`arn:aws:sts::…:assumed-role/…`)
 * and account roots are refused with a hint: the trust policy must name one role.
 *
 * @example
 * ```ts
 * parsePrincipalArn("arn:aws:iam::123456789012:role/restate-server").kind; // "role"
 * ```
 */
export function parsePrincipalArn(value: unknown): PrincipalArn {
  const arn = parseArn(value);
  const text = value as string;
  if (arn.service === "sts" && arn.resource.startsWith("assumed-role/")) {
    const roleName = arn.resource.split("/")[1] ?? "";
    throw new InvokerRoleError(
      "invalid_principal",
      `${describeValue(text)} is a temporary session, not a role; trust the role itself ` +
        `(arn:${arn.partition}:iam::${arn.accountId}:role/${roleName}, plus its path if it has one)`,
    );
  }
  if (arn.service !== "iam") {
    throw new InvokerRoleError("invalid_principal", `${describeValue(text)} is not an IAM role or user ARN`);
  }
  if (arn.region !== "") throw new InvokerRoleError("invalid_arn", `IAM ARNs have no region: ${describeValue(text)}`);
  assertAccountId(arn.accountId, `account id in ${describeValue(text)}`);
  if (arn.resource === "root") {
    throw new InvokerRoleError(
      "invalid_principal",
      `${describeValue(text)} trusts a whole account; name the one role (or user) the Restate server runs as`,
    );
  }
  const slash = arn.resource.indexOf("/");
  const kind = arn.resource.slice(0, slash);
  if (slash < 0 || (kind !== "role" && kind !== "user")) {
    throw new InvokerRoleError("invalid_principal", `${describeValue(text)} is neither an IAM role nor an IAM user`);
  }
  const pathAndName = arn.resource.slice(slash + 1);
  const lastSlash = pathAndName.lastIndexOf("/");
  const name = pathAndName.slice(lastSlash + 1);
  const path = lastSlash < 0 ? "/" : `/${pathAndName.slice(0, lastSlash + 1)}`;
  assertIamName(name, `${kind} name in ${describeValue(text)}`, "invalid_principal");
  assertIamPath(path, `path in ${describeValue(text)}`, "invalid_principal");
  return { arn: text, partition: arn.partition, accountId: arn.accountId, kind, name: pathAndName };
}

/** Checks an IAM role/user name: 1-64 of letters, digits and `+=,.@_-`. */
export function assertIamName(
  value: unknown,
  what = "role name",
  code: "invalid_role_name" | "invalid_principal" = "invalid_role_name",
): asserts value is string {
  if (typeof value !== "string" || !IAM_NAME.test(value)) {
    throw new InvokerRoleError(
      code,
      `${what} must be 1-64 letters, digits or any of +=,.@_- ; got ${describeValue(value)}`,
    );
  }
}

/** Checks an IAM path: `/` or `/segment/.../` of printable ASCII, at most 512 characters. */
export function assertIamPath(
  value: unknown,
  what = "role path",
  code: "invalid_role_path" | "invalid_principal" = "invalid_role_path",
): asserts value is string {
  if (typeof value !== "string" || value.length > 512 || !IAM_PATH_SEGMENTS.test(value)) {
    throw new InvokerRoleError(
      code,
      `${what} must be "/" or start and end with "/" (printable ASCII, no "//", at most 512 characters); got ${describeValue(value)}`,
    );
  }
}
