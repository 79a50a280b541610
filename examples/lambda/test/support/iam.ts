import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** The account id inside an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`). */
export function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/** The role ARN behind an assumed-role session ARN (`arn:aws:sts::1:assumed-role/name/session`). */
export function roleArnOfSession(sessionArn: string): string {
  const match = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(sessionArn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : sessionArn;
}

async function decide(simulation: Parameters<typeof runSimulation>[0]): Promise<Decision> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error")
    throw new Error(`iam-simulate rejected the scenario: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/**
 * Evaluates a role's trust policy for an `sts:AssumeRole` call, with the context keys AWS would set:
 * iam-simulate only sees the keys we pass.
 */
export function simulateAssumeRole(options: {
  trustPolicy: unknown;
  /** Who calls: an assumed-role session ARN, a role, a user or an account root. */
  callerArn: string;
  /** The role being assumed. */
  roleArn: string;
  externalId: string | undefined;
}): Promise<Decision> {
  const principalArn = roleArnOfSession(options.callerArn);
  const crossAccount = accountOf(principalArn) !== accountOf(options.roleArn);
  return decide({
    request: {
      principal: options.callerArn,
      action: "sts:AssumeRole",
      resource: { resource: options.roleArn, accountId: accountOf(options.roleArn) },
      contextVariables: {
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalAccount": accountOf(principalArn),
        ...(options.externalId !== undefined ? { "sts:ExternalId": options.externalId } : {}),
      },
    },
    // Across accounts AWS also requires the caller's own policy to allow the call (Restate Cloud's
    // role has such a policy); within one account the trust policy alone decides.
    identityPolicies: crossAccount
      ? [
          {
            name: "caller",
            policy: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
            },
          },
        ]
      : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: options.trustPolicy,
  });
}

/** Evaluates a KMS key policy for one call by a role, with the call's encryption context as context keys. */
export function simulateKeyPolicy(options: {
  keyPolicy: unknown;
  keyArn: string;
  callerArn: string;
  action: string;
  encryptionContext: Record<string, string> | undefined;
}): Decision {
  const principalArn = roleArnOfSession(options.callerArn);
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.encryptionContext ?? {}))
    context[`kms:EncryptionContext:${key}`] = value;
  // iam-simulate 0.1.173 drops `kms:EncryptionContext:<key>` context keys during input validation
  // (it only recognises `prefix/<variable>` keys), so this evaluation skips that validation.
  return runUnsafeSimulation(
    {
      request: {
        principal: options.callerArn,
        action: options.action,
        resource: { resource: options.keyArn, accountId: accountOf(options.keyArn) },
        contextVariables: {
          "aws:PrincipalArn": principalArn,
          "aws:PrincipalAccount": accountOf(principalArn),
          ...context,
        },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // The unsafe path loads the resource policy without a name and then reads it; handing it
      // iam-policy's "validated policy" shape gives it one.
      resourcePolicy: { __validated: true, policyDocument: options.keyPolicy, metadata: { name: "key-policy" } },
    },
    {},
  );
}
