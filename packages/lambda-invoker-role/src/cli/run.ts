import { type CliIo, type CliSpec, runCli } from "@restate-connect/cli-kit";
import packageJson from "../../package.json";
import { InvokerRoleError } from "../errors.js";
import { check } from "./check.js";
import { invokePolicyCommand } from "./invoke-policy.js";
import { role } from "./role.js";
import { verify, whoami } from "./sts.js";
import { trustPolicy } from "./trust-policy.js";

export const spec: CliSpec = {
  name: "restate-invoker-role",
  version: packageJson.version,
  summary: "IAM roles that let Restate invoke your Lambda functions",
  commands: [trustPolicy, invokePolicyCommand, role, check, whoami, verify],
  footer: [
    "AWS credentials for whoami/verify come from the usual AWS sources (environment, --profile, SSO,",
    "instance roles); whoami and verify need @aws-sdk/client-sts installed.",
  ].join("\n"),
  describeError(error) {
    if (!(error instanceof InvokerRoleError)) return undefined;
    // Refused input is a usage error; only a failed STS call is a failure of the command itself.
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      exitCode: error.code === "sts_failed" ? 1 : 2,
    };
  },
};

/** Runs one `restate-invoker-role` command line and returns its exit code (0 ok, 1 refused or failed, 2 usage). */
export function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runCli(spec, argv, io);
}
