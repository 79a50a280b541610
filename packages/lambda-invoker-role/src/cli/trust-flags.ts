import { CliUsageError, type CommandContext, type OptionsSpec, parseFlag } from "@restate-connect/cli-kit";
import { parsePrincipalArn } from "../arn.js";
import type { TrustExpectations } from "../check/trust.js";
import type { PolicyDocument } from "../policy.js";
import {
  assertEnvironmentId,
  assertExternalId,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
} from "../trust-policy.js";

/** The flags that say whom the role trusts. */
export const TRUST_OPTIONS: OptionsSpec = {
  "environment-id": {
    type: "string",
    value: "<env_…>",
    description: "Restate Cloud environment (see `restate whoami`); the policy is the same in us and eu",
  },
  "principal-arn": {
    type: "string",
    value: "<arn>",
    description: "self-hosted: the IAM role (or user) the Restate server runs as",
  },
  "external-id": {
    type: "string",
    value: "<id>",
    description: "self-hosted: the server's aws-assume-role-external-id",
  },
};

/** What the trust flags ask for, each flag's value checked and named when wrong. */
export function trustExpectations(context: CommandContext): TrustExpectations {
  const environmentId = context.flags.string("environment-id");
  const principalArn = context.flags.string("principal-arn");
  const externalId = context.flags.string("external-id");
  if (environmentId !== undefined && principalArn !== undefined) {
    throw new CliUsageError(
      "conflicting_options",
      "give --environment-id (Restate Cloud) or --principal-arn (self-hosted), not both",
    );
  }
  if (environmentId !== undefined) {
    if (externalId !== undefined) {
      throw new CliUsageError(
        "conflicting_options",
        "--external-id is for self-hosted servers; Restate Cloud's external id is the environment id",
      );
    }
    parseFlag("environment-id", () => assertEnvironmentId(environmentId));
    return { environmentId };
  }
  if (principalArn === undefined) {
    throw new CliUsageError("missing_option", "give --environment-id (Restate Cloud) or --principal-arn (self-hosted)");
  }
  parseFlag("principal-arn", () => parsePrincipalArn(principalArn));
  if (externalId === undefined) return { principalArn };
  parseFlag("external-id", () => assertExternalId(externalId));
  return { principalArn, externalId };
}

/** The trust policy the trust flags describe. */
export function trustPolicyFrom(context: CommandContext): PolicyDocument {
  const expectations = trustExpectations(context);
  if (expectations.environmentId !== undefined) {
    return restateCloudTrustPolicy({ environmentId: expectations.environmentId });
  }
  return selfHostedTrustPolicy({
    principalArn: expectations.principalArn,
    ...(expectations.externalId === undefined ? {} : { externalId: expectations.externalId }),
  });
}
