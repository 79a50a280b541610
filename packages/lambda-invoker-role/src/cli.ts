#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type CheckReport,
  checkInvokePolicy,
  checkTrustPolicy,
  formatReport,
  type TrustExpectations,
} from "./check.js";
import { InvokerRoleError } from "./errors.js";
import { invokePolicy } from "./invoke-policy.js";
import type { PolicyDocument } from "./policy.js";
import { toAwsCli } from "./render-cli.js";
import { toCloudFormation } from "./render-cloudformation.js";
import { toIamJson } from "./render-iam.js";
import { toTerraform } from "./render-terraform.js";
import { invokerRole } from "./role.js";
import { type RestateCloudRegion, restateCloudTrustPolicy, selfHostedTrustPolicy } from "./trust-policy.js";

const TRUST_HELP = `  --environment-id env_…   Restate Cloud environment (see \`restate whoami\`)
  --region us|eu           Restate Cloud region (default us)
  --principal-arn arn…     self-hosted: the role the Restate server runs as
  --external-id id         self-hosted: the server's aws-assume-role-external-id`;
const AWS_HELP = `  --region-aws name        AWS region for STS (default: from the environment)
  --endpoint-url url       STS endpoint (e.g. a local emulator)`;

const HELP: Record<string, string> = {
  main: `restate-invoker-role: IAM roles that let Restate invoke your Lambda functions

Usage: restate-invoker-role <command> [options]

Commands:
  trust-policy    print the trust policy (Restate Cloud or self-hosted)
  invoke-policy   print the least-privilege lambda:InvokeFunction policy
  role            print the whole role as IAM JSON, CloudFormation, Terraform or AWS CLI commands
  check           analyse an existing trust policy (exit 1 when it has errors)
  whoami          print the principal ARN of the current AWS credentials
  verify          really assume a role with an external id (exit 1 when AWS refuses)

Run \`restate-invoker-role <command> --help\` for its options. Exit codes: 0 ok, 1 check failed or
AWS error, 2 usage error.
`,
  "trust-policy": `Usage: restate-invoker-role trust-policy (--environment-id env_… [--region eu] | --principal-arn arn… [--external-id id])

${TRUST_HELP}
  --json                   print the policy only (the default output is the policy too)
`,
  "invoke-policy": `Usage: restate-invoker-role invoke-policy --function arn… [--function arn…]

  --function arn           Lambda function ARN, repeatable; unqualified covers all versions/aliases
  --json                   machine output (same JSON)
`,
  role: `Usage: restate-invoker-role role (trust options) --function arn… [--format json|yaml|cloudformation|terraform|cli]

${TRUST_HELP}
  --function arn           Lambda function ARN, repeatable
  --format f               json (IAM API shape, default), cloudformation (JSON template),
                           yaml (CloudFormation YAML template), terraform (HCL), cli (aws commands)
  --role-name name         default restate-invoker
  --path /p/               default /
  --tag key=value          repeatable
  --max-session-duration s 3600 (default) to 43200
  --json                   same as --format json
`,
  check: `Usage: restate-invoker-role check --policy file.json (--environment-id env_… | --principal-arn arn… [--external-id id])
       restate-invoker-role check --invoke-policy file.json

  --policy file            trust policy JSON, or \`aws iam get-role\` output; - reads stdin
  --invoke-policy file     check an invoke (identity) policy for broad grants
${TRUST_HELP}
  --json                   print the report as JSON
Exit code 1 when the report has errors.
`,
  whoami: `Usage: restate-invoker-role whoami [--region-aws name] [--endpoint-url url] [--json]

Prints the ARN to trust for the current AWS credentials (an assumed-role session resolves to its role).
${AWS_HELP}
  --json                   print JSON
`,
  verify: `Usage: restate-invoker-role verify --role-arn arn… [--external-id id] [--region-aws name] [--endpoint-url url] [--json]

Calls sts:AssumeRole with the current credentials; exit 1 with AWS's reason when refused.
${AWS_HELP}
  --json                   print JSON
`,
};

class UsageError extends Error {}

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  "environment-id": { type: "string" },
  region: { type: "string" },
  "principal-arn": { type: "string" },
  "external-id": { type: "string" },
  function: { type: "string", multiple: true },
  format: { type: "string" },
  "role-name": { type: "string" },
  path: { type: "string" },
  tag: { type: "string", multiple: true },
  "max-session-duration": { type: "string" },
  policy: { type: "string" },
  "invoke-policy": { type: "string" },
  "role-arn": { type: "string" },
  "region-aws": { type: "string" },
  "endpoint-url": { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  "trust-policy": ["environment-id", "region", "principal-arn", "external-id"],
  "invoke-policy": ["function"],
  role: [
    "environment-id",
    "region",
    "principal-arn",
    "external-id",
    "function",
    "format",
    "role-name",
    "path",
    "tag",
    "max-session-duration",
  ],
  check: ["policy", "invoke-policy", "environment-id", "principal-arn", "external-id"],
  whoami: ["region-aws", "endpoint-url"],
  verify: ["role-arn", "external-id", "region-aws", "endpoint-url"],
};

function trustFrom(values: Values): PolicyDocument {
  const cloud = values["environment-id"] !== undefined;
  const selfHosted = values["principal-arn"] !== undefined;
  if (cloud === selfHosted)
    throw new UsageError("give either --environment-id (Restate Cloud) or --principal-arn (self-hosted)");
  if (cloud) {
    if (values["external-id"] !== undefined) {
      throw new UsageError("--external-id is for self-hosted servers; Restate Cloud uses the environment id");
    }
    return restateCloudTrustPolicy({
      environmentId: values["environment-id"]!,
      region: (values.region ?? "us") as RestateCloudRegion,
    });
  }
  if (values.region !== undefined)
    throw new UsageError("--region is the Restate Cloud region; not used with --principal-arn");
  return selfHostedTrustPolicy({
    principalArn: values["principal-arn"]!,
    ...(values["external-id"] === undefined ? {} : { externalId: values["external-id"] }),
  });
}

function functionsFrom(values: Values): string[] {
  const functions = values.function ?? [];
  if (functions.length === 0) throw new UsageError("give at least one --function <lambda function ARN>");
  return functions;
}

function readInput(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function printReport(report: CheckReport, json: boolean): number {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

async function loadSts() {
  try {
    return await import("./sts.js");
  } catch (error) {
    throw new Error(
      `the whoami/verify commands need @aws-sdk/client-sts (npm install @aws-sdk/client-sts): ${(error as Error).message}`,
    );
  }
}

function stsConfig(values: Values) {
  return {
    clientConfig: {
      ...(values["region-aws"] ? { region: values["region-aws"] } : {}),
      ...(values["endpoint-url"] ? { endpoint: values["endpoint-url"] } : {}),
    },
  };
}

async function run(command: string, values: Values): Promise<number> {
  const json = values.json === true;
  switch (command) {
    case "trust-policy":
      process.stdout.write(`${JSON.stringify(trustFrom(values), null, 2)}\n`);
      return 0;
    case "invoke-policy":
      process.stdout.write(`${JSON.stringify(invokePolicy({ functionArns: functionsFrom(values) }), null, 2)}\n`);
      return 0;
    case "role": {
      const tags: Record<string, string> = {};
      for (const tag of values.tag ?? []) {
        const equals = tag.indexOf("=");
        if (equals <= 0) throw new UsageError(`--tag must be key=value, got ${JSON.stringify(tag)}`);
        tags[tag.slice(0, equals)] = tag.slice(equals + 1);
      }
      const duration = values["max-session-duration"];
      if (duration !== undefined && !/^\d+$/.test(duration)) {
        throw new UsageError(`--max-session-duration must be a number of seconds, got ${JSON.stringify(duration)}`);
      }
      const spec = invokerRole({
        trustPolicy: trustFrom(values),
        functionArns: functionsFrom(values),
        ...(values["role-name"] === undefined ? {} : { roleName: values["role-name"] }),
        ...(values.path === undefined ? {} : { path: values.path }),
        ...(duration === undefined ? {} : { maxSessionDuration: Number(duration) }),
        tags,
      });
      const format = json ? "json" : (values.format ?? "json");
      const renderers: Record<string, () => string> = {
        json: () => toIamJson(spec),
        cloudformation: () => toCloudFormation(spec, { format: "json" }),
        yaml: () => toCloudFormation(spec, { format: "yaml" }),
        terraform: () => toTerraform(spec),
        cli: () => toAwsCli(spec),
      };
      const render = renderers[format];
      if (!render) throw new UsageError(`--format must be one of ${Object.keys(renderers).join(", ")}, got ${format}`);
      process.stdout.write(render());
      return 0;
    }
    case "check": {
      if (values["invoke-policy"] !== undefined) {
        if (values.policy !== undefined) throw new UsageError("give --policy or --invoke-policy, not both");
        return printReport(checkInvokePolicy(readInput(values["invoke-policy"])), json);
      }
      if (values.policy === undefined) throw new UsageError("give --policy <file> (or - for stdin)");
      const cloud = values["environment-id"] !== undefined;
      if (cloud === (values["principal-arn"] !== undefined)) {
        throw new UsageError("give either --environment-id (Restate Cloud) or --principal-arn (self-hosted)");
      }
      if (cloud && values["external-id"] !== undefined) {
        throw new UsageError("--external-id is for self-hosted servers; Restate Cloud uses the environment id");
      }
      const expectations: TrustExpectations = cloud
        ? { environmentId: values["environment-id"]! }
        : {
            principalArn: values["principal-arn"]!,
            ...(values["external-id"] === undefined ? {} : { externalId: values["external-id"] }),
          };
      return printReport(checkTrustPolicy(readInput(values.policy), expectations), json);
    }
    case "whoami": {
      const { whoAmI } = await loadSts();
      const me = await whoAmI(stsConfig(values));
      if (json) process.stdout.write(`${JSON.stringify(me, null, 2)}\n`);
      else {
        process.stdout.write(`${me.principalArn}\n`);
        if (me.pathUnknown) {
          process.stderr.write("note: session ARNs hide the role's path; if the role has one, use its full ARN\n");
        }
      }
      return 0;
    }
    case "verify": {
      const { verifyAssumeRole } = await loadSts();
      if (values["role-arn"] === undefined) throw new UsageError("give --role-arn <role ARN>");
      const result = await verifyAssumeRole({
        roleArn: values["role-arn"],
        ...(values["external-id"] === undefined ? {} : { externalId: values["external-id"] }),
        ...stsConfig(values),
      });
      if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.ok) process.stdout.write(`OK: assumed ${result.assumedRoleArn}\n`);
      else process.stdout.write(`FAILED (${result.errorName}): ${result.message}\n`);
      return result.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${HELP.main}`);
    return 2;
  }
  const [command, ...extra] = parsed.positionals;
  if (command === undefined || command === "help") {
    if (parsed.values.help || command === "help") {
      process.stdout.write(HELP.main!);
      return 0;
    }
    process.stderr.write(`error: no command given\n\n${HELP.main}`);
    return 2;
  }
  const help = HELP[command];
  if (!help) {
    process.stderr.write(`error: unknown command ${JSON.stringify(command)}\n\n${HELP.main}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(help);
    return 0;
  }
  try {
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const allowed = new Set<string>([...(ALLOWED[command] ?? []), "json", "help"]);
    const stray = Object.keys(parsed.values).find((key) => !allowed.has(key));
    if (stray) throw new UsageError(`--${stray} is not an option of ${command}`);
    return await run(command, parsed.values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvokerRoleError) {
      const code = error instanceof InvokerRoleError ? ` [${error.code}]` : "";
      process.stderr.write(`error${code}: ${error.message}\n\n${help}`);
      return 2;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
