import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import { parseArn } from "./arn.js";
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

/** Turns an assumed-role session ARN into the ARN of its role; other ARNs are returned as they are. */
export function principalOfCaller(callerArn: string): Pick<WhoAmI, "principalArn" | "kind" | "pathUnknown"> {
  const arn = parseArn(callerArn);
  if (arn.service === "sts" && arn.resource.startsWith("assumed-role/")) {
    const roleName = arn.resource.split("/")[1] ?? "";
    return {
      principalArn: `arn:${arn.partition}:iam::${arn.accountId}:role/${roleName}`,
      kind: "role",
      pathUnknown: true,
    };
  }
  if (arn.service === "sts" && arn.resource.startsWith("federated-user/")) {
    return { principalArn: callerArn, kind: "federated-user", pathUnknown: false };
  }
  if (arn.service === "iam" && arn.resource === "root")
    return { principalArn: callerArn, kind: "root", pathUnknown: false };
  if (arn.service === "iam" && arn.resource.startsWith("user/"))
    return { principalArn: callerArn, kind: "user", pathUnknown: false };
  if (arn.service === "iam" && arn.resource.startsWith("role/"))
    return { principalArn: callerArn, kind: "role", pathUnknown: false };
  return { principalArn: callerArn, kind: "other", pathUnknown: false };
}

/**
 * Who the current AWS credentials belong to, resolving an assumed-role session (an ECS task, an EC2
 * instance, SSO) to the role ARN — the value a self-hosted operator passes as `principalArn`.
 *
 * @example
 * ```ts
 * const me = await whoAmI({ clientConfig: { region: "eu-central-1" } });
 * selfHostedTrustPolicy({ principalArn: me.principalArn });
 * ```
 */
export async function whoAmI(options: StsOptions = {}): Promise<WhoAmI> {
  const { client, owned } = clientOf(options);
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}));
    const callerArn = identity.Arn ?? "";
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

/** Explains an STS failure in plain words (without credentials or tokens). */
export function explainStsError(error: unknown, roleArn: string): { errorName: string; message: string } {
  const name = error instanceof Error ? error.name : "UnknownError";
  const detail = error instanceof Error ? error.message : String(error);
  const known: Record<string, string> = {
    AccessDenied: `AWS refused to let the caller assume ${roleArn}: the role's trust policy does not allow this caller with this external id, or the caller's own policies do not allow sts:AssumeRole on it`,
    AccessDeniedException: `AWS refused to let the caller assume ${roleArn} (trust policy or caller permissions)`,
    ExpiredTokenException: "the caller's AWS session has expired; log in again",
    ExpiredToken: "the caller's AWS session has expired; log in again",
    InvalidClientTokenId: "the AWS access key is not valid (wrong key, deleted, or another partition)",
    SignatureDoesNotMatch: "the AWS secret key does not match the access key",
    RegionDisabledException: "STS is not activated in this region for the account; use another region",
    MalformedPolicyDocument: "the request was malformed",
    CredentialsProviderError: "no AWS credentials were found (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or log in)",
    ValidationError: `AWS rejected the request as invalid: ${detail}`,
  };
  const networkCodes = ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"];
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && networkCodes.includes(code)) {
    return { errorName: code, message: `could not reach STS (${code}); check the network, region and endpoint` };
  }
  return { errorName: name, message: known[name] ?? `STS failed with ${name}: ${detail}` };
}

/**
 * Really calls `sts:AssumeRole` on the role with the external id, and reports success or the AWS error
 * in plain words. Run it with the credentials of the principal the trust policy names (for Restate
 * Cloud this can only be done by Restate; use `checkTrustPolicy` instead).
 *
 * @example
 * ```ts
 * const result = await verifyAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/restate-invoker", externalId: "restate-prod" });
 * if (!result.ok) console.error(result.message);
 * ```
 */
export async function verifyAssumeRole(options: VerifyAssumeRoleOptions): Promise<VerifyAssumeRoleResult> {
  const role = parseArn(options.roleArn);
  if (role.service !== "iam" || !role.resource.startsWith("role/")) {
    throw new TypeError(`roleArn must be an IAM role ARN, got ${JSON.stringify(options.roleArn)}`);
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
      assumedRoleArn: response.AssumedRoleUser?.Arn ?? "",
      expiration: response.Credentials?.Expiration,
    };
  } catch (error) {
    return { ok: false, ...explainStsError(error, options.roleArn) };
  } finally {
    if (owned) client.destroy();
  }
}
