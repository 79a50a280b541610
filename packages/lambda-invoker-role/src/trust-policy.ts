import { type Partition, parsePrincipalArn } from "./arn.js";
import { describeValue, InvokerRoleError } from "./errors.js";
import { POLICY_VERSION, type PolicyDocument } from "./policy.js";

/**
 * The AWS account Restate Cloud invokes Lambda functions from. Both Restate Cloud regions (`us` and
 * `eu`) use this account and the same role, as Restate's own CDK construct and documentation show,
 * so the trust policy does not depend on the region.
 */
export const RESTATE_CLOUD_ACCOUNT_ID = "654654156625";
/** The role Restate Cloud assumes your invoker role from (both regions). */
export const RESTATE_CLOUD_PRINCIPAL_ARN = "arn:aws:iam::654654156625:role/RestateCloud";
/** Restate Cloud runs only in the commercial `aws` partition. */
export const RESTATE_CLOUD_PARTITION: Partition = "aws";

/** What a generated trust policy trusts: which principal, in which partition, with which external id. */
export interface TrustPolicyInfo {
  readonly kind: "restate-cloud" | "self-hosted";
  readonly partition: Partition;
  /** The one principal (role or user ARN) that may assume the role. */
  readonly principalArn: string;
  /** The `sts:ExternalId` the principal must present, if any. */
  readonly externalId: string | undefined;
}

// Carried as a non-enumerable symbol property: invisible to JSON.stringify and to renderers, and
// shared by every copy of this package (ESM and CJS) through the global symbol registry.
const INFO = Symbol.for("@restate-connect/lambda-invoker-role/trust-policy");

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function withInfo(document: PolicyDocument, info: TrustPolicyInfo): PolicyDocument {
  Object.defineProperty(document, INFO, { value: Object.freeze({ ...info }), enumerable: false });
  return deepFreeze(document);
}

/**
 * What a trust policy made by `restateCloudTrustPolicy` or `selfHostedTrustPolicy` trusts. Throws
 * `invalid_policy` for any other object: hand-written or parsed documents carry no such guarantee
 * (analyse those with `checkTrustPolicy`).
 *
 * @example
 * ```ts
 * trustPolicyInfo(restateCloudTrustPolicy({ environmentId: "env_abc123" })).partition; // "aws"
 * ```
 */
export function trustPolicyInfo(document: unknown): TrustPolicyInfo {
  const info = document && typeof document === "object" ? (document as { [INFO]?: TrustPolicyInfo })[INFO] : undefined;
  if (!info) {
    throw new InvokerRoleError(
      "invalid_policy",
      "trustPolicy must come from restateCloudTrustPolicy() or selfHostedTrustPolicy() (use checkTrustPolicy for other documents)",
    );
  }
  return info;
}

export interface RestateCloudTrustOptions {
  /**
   * The environment id shown by `restate whoami` and the Cloud UI: `env_` + lowercase letters/digits.
   * The policy is the same for environments in the `us` and `eu` regions.
   */
  readonly environmentId: string;
}

export interface SelfHostedTrustOptions {
  /** The IAM role (or user) the Restate server runs as, e.g. its ECS task role. */
  readonly principalArn: string;
  /**
   * The external id configured in the server (`aws-assume-role-external-id` / `AWS_EXTERNAL_ID`).
   * Recommended whenever the server is shared between tenants.
   */
  readonly externalId?: string;
}

const ENVIRONMENT_ID = /^env_[a-z0-9]{1,120}$/;
// sts:ExternalId: 2-1224 characters of [\w+=,.@:/-] (AWS STS API reference).
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Checks a Restate Cloud environment id (`env_` + lowercase letters and digits). */
export function assertEnvironmentId(value: unknown): asserts value is string {
  if (typeof value !== "string" || !ENVIRONMENT_ID.test(value)) {
    throw new InvokerRoleError(
      "invalid_environment_id",
      `environment id must be "env_" followed by lowercase letters and digits (see \`restate whoami\`), got ${describeValue(value)}`,
    );
  }
}

/** Checks an external id against STS's rules: 2-1224 characters of letters, digits and `_+=,.@:/-`. */
export function assertExternalId(value: unknown): asserts value is string {
  if (typeof value !== "string" || !EXTERNAL_ID.test(value)) {
    throw new InvokerRoleError(
      "invalid_external_id",
      `external id must be 2-1224 letters, digits or any of _+=,.@:/- ; got ${describeValue(value)}`,
    );
  }
}

/**
 * The trust policy document that lets Restate Cloud assume your invoker role on behalf of one environment.
 * It trusts Restate Cloud's account, bound to its `RestateCloud` role via `aws:PrincipalArn`,
 * with `sts:ExternalId` equal to your environment id (so no other Restate Cloud customer can make
 * Restate assume your role — the confused-deputy guard), plus `sts:TagSession` for that role.
 *
 * Restate Cloud exists only in the `aws` partition: a role in `aws-cn` or `aws-us-gov` cannot
 * trust it, and `invokerRole` refuses to combine this policy with functions there.
 *
 * @example
 * ```ts
 * const trust = restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" });
 * JSON.stringify(trust); // {"Version":"2012-10-17","Statement":[{"Sid":"RestateCloudAssumeRole",...
 * ```
 */
export function restateCloudTrustPolicy(options: RestateCloudTrustOptions): PolicyDocument {
  assertEnvironmentId(options?.environmentId);
  const root = `arn:aws:iam::${RESTATE_CLOUD_ACCOUNT_ID}:root`;
  return withInfo(
    {
      Version: POLICY_VERSION,
      Statement: [
        {
          Sid: "RestateCloudAssumeRole",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: {
              "aws:PrincipalArn": RESTATE_CLOUD_PRINCIPAL_ARN,
              "sts:ExternalId": options.environmentId,
            },
          },
        },
        {
          Sid: "RestateCloudTagSession",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: "sts:TagSession",
          Condition: { StringEquals: { "aws:PrincipalArn": RESTATE_CLOUD_PRINCIPAL_ARN } },
        },
      ],
    },
    {
      kind: "restate-cloud",
      partition: RESTATE_CLOUD_PARTITION,
      principalArn: RESTATE_CLOUD_PRINCIPAL_ARN,
      externalId: options.environmentId,
    },
  );
}

/**
 * The trust policy for a self-hosted (or BYOC) Restate server: exactly the role it runs as may
 * assume the invoker role, and only with the external id when one is given. No `sts:TagSession`:
 * restate-server calls `AssumeRole` with a session name and the external id only, without tags. The partition is the
 * principal's; `invokerRole` requires the functions to be in the same partition.
 *
 * @example
 * ```ts
 * const trust = selfHostedTrustPolicy({
 *   principalArn: "arn:aws:iam::123456789012:role/restate-server-task",
 *   externalId: "restate-prod",
 * });
 * ```
 */
export function selfHostedTrustPolicy(options: SelfHostedTrustOptions): PolicyDocument {
  const principal = parsePrincipalArn(options?.principalArn);
  if (options.externalId !== undefined) assertExternalId(options.externalId);
  return withInfo(
    {
      Version: POLICY_VERSION,
      Statement: [
        {
          Sid: "RestateServerAssumeRole",
          Effect: "Allow",
          Principal: { AWS: principal.arn },
          Action: "sts:AssumeRole",
          ...(options.externalId === undefined
            ? {}
            : { Condition: { StringEquals: { "sts:ExternalId": options.externalId } } }),
        },
      ],
    },
    {
      kind: "self-hosted",
      partition: principal.partition,
      principalArn: principal.arn,
      externalId: options.externalId,
    },
  );
}
