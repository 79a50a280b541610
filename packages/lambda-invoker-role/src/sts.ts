import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import { parseArn } from "./arn.js";
import { describeValue, InvokerRoleError, printable } from "./errors.js";
import { explainStsError, principalOfCaller, stsFailure } from "./sts-explain.js";
import { assertExternalId } from "./trust-policy.js";

/** Where the STS calls go: an existing client, or configuration for a new one (region, endpoint, credentials). */
export interface StsOptions {
  readonly client?: STSClient;
  readonly clientConfig?: STSClientConfig;
}

export interface WhoAmI {
  readonly accountId: string;
  /** What STS says the caller is, e.g. `arn:aws:sts::123456789012:assumed-role/restate-task/1a2b…`. */
  readonly callerArn: string;
  /**
   * The ARN to trust: for an assumed-role session its role (`arn:aws:iam::123456789012:role/restate-task`),
   * otherwise the caller ARN itself.
   */
  readonly principalArn: string;
  readonly kind: "role" | "user" | "root" | "federated-user" | "other";
  /**
   * Session ARNs do not show a role's path. When true, check the role's real ARN
   * (`aws iam get-role`) if the role has a path other than `/`.
   */
  readonly pathUnknown: boolean;
}

function clientOf(options: StsOptions): { client: STSClient; owned: boolean } {
  if (options.client) return { client: options.client, owned: false };
  return { client: new STSClient(options.clientConfig ?? {}), owned: true };
}

/**
 * Who the current AWS credentials belong to, resolving an assumed-role session (an ECS task, an EC2
 * instance, SSO) to the role ARN — the value a self-hosted operator passes as `principalArn`.
 *
 * @example
 * ```ts
 * import { selfHostedTrustPolicy } from "@restate-connect/lambda-invoker-role";
 * import { whoAmI } from "@restate-connect/lambda-invoker-role/sts";
 *
 * const me = await whoAmI({ clientConfig: { region: "eu-central-1" } });
 * selfHostedTrustPolicy({ principalArn: me.principalArn });
 * ```
 */
export async function whoAmI(options: StsOptions = {}): Promise<WhoAmI> {
  const { client, owned } = clientOf(options);
  try {
    let identity: { Arn?: string; Account?: string };
    try {
      identity = await client.send(new GetCallerIdentityCommand({}));
    } catch (error) {
      throw stsFailure(error, "the caller");
    }
    const callerArn = identity.Arn ?? "";
    // whoami prints this ARN; an endpoint (a local emulator, --endpoint-url) could answer with
    // escape sequences, which no real ARN holds.
    if (printable(callerArn) !== callerArn || printable(identity.Account ?? "") !== (identity.Account ?? "")) {
      throw new InvokerRoleError(
        "sts_failed",
        `STS answered with an identity that is not printable: ${describeValue(callerArn)}`,
      );
    }
    return { accountId: identity.Account ?? "", callerArn, ...principalOfCaller(callerArn) };
  } finally {
    if (owned) client.destroy();
  }
}

export interface VerifyAssumeRoleOptions extends StsOptions {
  readonly roleArn: string;
  readonly externalId?: string;
  /** Default `restate-invoker-role-verify`. */
  readonly sessionName?: string;
}

export type VerifyAssumeRoleResult =
  | { readonly ok: true; readonly assumedRoleArn: string; readonly expiration: Date | undefined }
  | { readonly ok: false; readonly errorName: string; readonly message: string };

/**
 * Really calls `sts:AssumeRole` on the role with the external id, and reports success or the AWS error
 * in plain words. Run it with the credentials of the principal the trust policy names (for Restate
 * Cloud this can only be done by Restate; use `checkTrustPolicy` instead).
 *
 * @example
 * ```ts
 * import { verifyAssumeRole } from "@restate-connect/lambda-invoker-role/sts";
 *
 * const result = await verifyAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/restate-invoker", externalId: "restate-prod" });
 * if (!result.ok) console.error(result.message);
 * ```
 */
export async function verifyAssumeRole(options: VerifyAssumeRoleOptions): Promise<VerifyAssumeRoleResult> {
  const role = parseArn(options?.roleArn);
  if (role.service !== "iam" || !role.resource.startsWith("role/")) {
    throw new InvokerRoleError("invalid_arn", `roleArn must be an IAM role ARN, got ${describeValue(options.roleArn)}`);
  }
  if (options.externalId !== undefined) assertExternalId(options.externalId);
  const { client, owned } = clientOf(options);
  try {
    const response = await client.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? "restate-invoker-role-verify",
        DurationSeconds: 900,
        ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
      }),
    );
    return {
      ok: true,
      // Printed by verify; no real ARN holds a control character, an endpoint's answer might.
      assumedRoleArn: printable(response.AssumedRoleUser?.Arn ?? ""),
      expiration: response.Credentials?.Expiration,
    };
  } catch (error) {
    return { ok: false, ...explainStsError(error, options.roleArn) };
  } finally {
    if (owned) client.destroy();
  }
}
