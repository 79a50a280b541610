// Test helper around @cloud-copilot/iam-simulate (AGPL-3.0: used in tests only, never from src).
import { anonymousPrincipal, runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "vitest";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Caller {
  /** Role ARN of the caller; undefined for an anonymous request. */
  readonly roleArn?: string;
  readonly externalId?: string;
}

function accountOf(arn: string): string {
  return arn.split(":")[4]!;
}

/**
 * Whether `caller` may perform `action` (sts:AssumeRole / sts:TagSession) on the role that has
 * `trustPolicy`. The simulator only sees the context keys passed here, so they are set the way
 * STS would: aws:PrincipalArn, aws:PrincipalAccount, and sts:ExternalId only when sent. The caller's
 * own identity policy allows all of STS, so the trust policy alone decides.
 */
export async function assumeDecision(
  trustPolicy: unknown,
  roleArn: string,
  caller: Caller,
  action: "sts:AssumeRole" | "sts:TagSession" = "sts:AssumeRole",
): Promise<Decision> {
  const contextVariables: Record<string, string> = {};
  if (caller.roleArn) {
    contextVariables["aws:PrincipalArn"] = caller.roleArn;
    contextVariables["aws:PrincipalAccount"] = accountOf(caller.roleArn);
  }
  if (caller.externalId !== undefined) contextVariables["sts:ExternalId"] = caller.externalId;
  const result = await runSimulation(
    {
      request: {
        principal: caller.roleArn ?? anonymousPrincipal,
        action,
        resource: { resource: roleArn, accountId: accountOf(roleArn) },
        contextVariables,
      },
      identityPolicies: caller.roleArn
        ? [
            {
              name: "caller",
              policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] },
            },
          ]
        : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trustPolicy,
    },
    {},
  );
  if (result.resultType === "error") expect.fail(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** Whether the role with `identityPolicy` may perform `action` on `resourceArn` (no resource policy). */
export async function invokeDecision(identityPolicy: unknown, roleArn: string, action: string, resourceArn: string) {
  const result = await runSimulation(
    {
      request: {
        principal: roleArn,
        action,
        resource: { resource: resourceArn, accountId: accountOf(resourceArn) },
        contextVariables: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": accountOf(roleArn) },
      },
      identityPolicies: [{ name: "restate-invoke", policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") expect.fail(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
