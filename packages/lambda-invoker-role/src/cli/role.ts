import { CliUsageError, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { assertIamName, assertIamPath } from "../arn.js";
import { InvokerRoleError } from "../errors.js";
import { toAwsCli } from "../render-cli.js";
import { toCloudFormation } from "../render-cloudformation.js";
import { iamShape, toIamJson } from "../render-iam.js";
import { toTerraform } from "../render-terraform.js";
import { type InvokerRoleSpec, invokerRole } from "../role.js";
import { FUNCTION_OPTION, functionArns } from "./functions.js";
import { TRUST_OPTIONS, trustPolicyFrom } from "./trust-flags.js";

const RENDERERS: Record<string, (spec: InvokerRoleSpec) => string> = {
  json: toIamJson,
  cloudformation: (spec) => toCloudFormation(spec, { format: "json" }),
  yaml: (spec) => toCloudFormation(spec, { format: "yaml" }),
  terraform: toTerraform,
  cli: toAwsCli,
};

function tagsFrom(values: readonly string[]): Record<string, string> {
  // No prototype: `--tag __proto__=x` is a tag like any other, not a write to Object.prototype's setter.
  const tags: Record<string, string> = Object.create(null);
  for (const tag of values) {
    const equals = tag.indexOf("=");
    if (equals <= 0) throw invalidFlag("tag", "must be key=value");
    const key = tag.slice(0, equals);
    if (Object.hasOwn(tags, key)) throw invalidFlag("tag", `gives the key ${JSON.stringify(key)} twice`);
    tags[key] = tag.slice(equals + 1);
  }
  return tags;
}

function maxSessionDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 3600 && seconds <= 43200)) {
    throw invalidFlag("max-session-duration", "must be a whole number of seconds from 3600 to 43200");
  }
  return seconds;
}

// Which flag carries the value a library refusal is about.
const FLAG_OF: Partial<Record<InvokerRoleError["code"], string>> = {
  invalid_tags: "tag",
  partition_mismatch: "function",
  invalid_role_name: "role-name",
  invalid_role_path: "path",
};

export const role = defineCommand({
  name: "role",
  summary: "print the whole role as IAM JSON, CloudFormation, Terraform or AWS CLI commands",
  options: {
    ...TRUST_OPTIONS,
    function: FUNCTION_OPTION,
    format: {
      type: "string",
      value: "<json|cloudformation|yaml|terraform|cli>",
      description: "json (IAM API shape, default), cloudformation (JSON template), yaml, terraform (HCL), cli",
    },
    "role-name": { type: "string", value: "<name>", description: "the role's name (default restate-invoker)" },
    path: { type: "string", value: "</path/>", description: "the role's IAM path (default /)" },
    tag: { type: "string", multiple: true, value: "<key=value>", description: "a tag on the role" },
    "max-session-duration": {
      type: "string",
      value: "<seconds>",
      description: "3600 (default) to 43200",
    },
  },
  details: "--json prints the IAM API shape, as --format json does.",
  run(context) {
    const format = context.flags.string("format") ?? "json";
    const render = RENDERERS[format];
    if (!render) throw invalidFlag("format", `must be one of ${Object.keys(RENDERERS).join(", ")}`);
    if (context.json && format !== "json") {
      throw new CliUsageError(
        "conflicting_options",
        `--json prints the IAM JSON; it cannot be combined with --format ${format}`,
      );
    }
    const roleName = context.flags.string("role-name");
    if (roleName !== undefined) parseFlag("role-name", () => assertIamName(roleName));
    const path = context.flags.string("path");
    if (path !== undefined) parseFlag("path", () => assertIamPath(path));
    const trustPolicy = trustPolicyFrom(context);
    const functions = functionArns(context);
    const duration = maxSessionDuration(context.flags.string("max-session-duration"));
    const tags = tagsFrom(context.flags.strings("tag"));
    let spec: InvokerRoleSpec;
    try {
      spec = invokerRole({
        trustPolicy,
        functionArns: functions,
        tags,
        ...(roleName === undefined ? {} : { roleName }),
        ...(path === undefined ? {} : { path }),
        ...(duration === undefined ? {} : { maxSessionDuration: duration }),
      });
    } catch (error) {
      const flag = error instanceof InvokerRoleError ? FLAG_OF[error.code] : undefined;
      if (flag === undefined) throw error;
      throw invalidFlag(flag, `is not valid: ${(error as Error).message}`);
    }
    let text: string;
    try {
      text = render(spec);
    } catch (error) {
      if (!(error instanceof InvokerRoleError)) throw error;
      throw invalidFlag("format", `${format} cannot carry this role: ${error.message}`);
    }
    context.print(() => text.replace(/\n$/, ""), iamShape(spec));
    return 0;
  },
});
