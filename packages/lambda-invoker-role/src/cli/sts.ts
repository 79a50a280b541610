import { CliUsageError, type CommandContext, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { parseArn } from "../arn.js";
import { assertExternalId } from "../trust-policy.js";

/** The command needs a package that is not installed: exit 1 with this code. */
class MissingDependencyError extends Error {
  readonly code = "missing_dependency";
  readonly retryable = false;
}

const AWS_OPTIONS = {
  "aws-region": {
    type: "string",
    value: "<region>",
    description: "AWS region for STS (default: from the environment)",
  },
  "endpoint-url": { type: "string", value: "<url>", description: "STS endpoint, e.g. a local emulator" },
  profile: { type: "string", value: "<name>", description: "AWS profile for credentials and region" },
} as const;

async function loadSts() {
  try {
    return await import("../sts.js");
  } catch {
    throw new MissingDependencyError("whoami and verify need @aws-sdk/client-sts: npm install @aws-sdk/client-sts");
  }
}

function stsOptions(context: CommandContext) {
  const region = context.flags.string("aws-region");
  if (region !== undefined && !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(region)) {
    throw invalidFlag("aws-region", `must be an AWS region name such as eu-central-1, got ${JSON.stringify(region)}`);
  }
  const endpoint = context.flags.string("endpoint-url");
  if (endpoint !== undefined) {
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw invalidFlag("endpoint-url", "must be an http(s) URL");
    }
  }
  const profile = context.flags.string("profile");
  if (profile === "") throw invalidFlag("profile", "must not be empty");
  return {
    clientConfig: {
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(profile === undefined ? {} : { profile }),
    },
  };
}

export const whoami = defineCommand({
  name: "whoami",
  summary: "print the principal ARN of the current AWS credentials (the ARN to trust)",
  options: AWS_OPTIONS,
  details: "An assumed-role session (ECS task, EC2 instance, SSO) resolves to its role.",
  async run(context) {
    const options = stsOptions(context);
    const { whoAmI } = await loadSts();
    const me = await whoAmI(options);
    context.print(() => me.principalArn, me);
    if (me.pathUnknown && !context.json) {
      context.progress("note: session ARNs hide the role's path; if the role has one, use its full ARN");
    }
    return 0;
  },
});

export const verify = defineCommand({
  name: "verify",
  summary: "really assume a role with an external id (exit 1 when AWS refuses)",
  options: {
    "role-arn": { type: "string", value: "<arn>", description: "the invoker role to assume" },
    "external-id": { type: "string", value: "<id>", description: "the external id to send" },
    ...AWS_OPTIONS,
  },
  details: "Calls sts:AssumeRole with the current credentials and reports AWS's answer in plain words.",
  async run(context) {
    const roleArn = context.flags.string("role-arn");
    if (roleArn === undefined) throw new CliUsageError("missing_option", "give --role-arn <role ARN>");
    parseFlag("role-arn", () => {
      const arn = parseArn(roleArn);
      if (arn.service !== "iam" || !arn.resource.startsWith("role/")) throw new Error("must be an IAM role ARN");
    });
    const externalId = context.flags.string("external-id");
    if (externalId !== undefined) parseFlag("external-id", () => assertExternalId(externalId));
    const options = stsOptions(context);
    const { verifyAssumeRole } = await loadSts();
    const result = await verifyAssumeRole({
      roleArn,
      ...(externalId === undefined ? {} : { externalId }),
      ...options,
    });
    context.print(
      () => (result.ok ? `OK: assumed ${result.assumedRoleArn}` : `FAILED (${result.errorName}): ${result.message}`),
      result,
    );
    return result.ok ? 0 : 1;
  },
});
