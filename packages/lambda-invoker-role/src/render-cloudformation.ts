import { refuseDynamicReferences } from "./dynamic-reference.js";
import { describeValue, InvokerRoleError } from "./errors.js";
import type { InvokerRoleSpec } from "./role.js";
import { toYaml, type YamlValue } from "./yaml.js";

export interface CloudFormationOptions {
  /** Default `json`. */
  readonly format?: "json" | "yaml";
}

/** Logical id of the role in the generated template. */
const ROLE_ID = "RestateInvokerRole";

/**
 * A complete CloudFormation template: the role with its inline invoke policy and an output with
 * the role ARN (what `restate deployments register --assume-role-arn` needs). Because the role
 * has an explicit name, deploy it with `--capabilities CAPABILITY_NAMED_IAM`. Every string is data:
 * one that CloudFormation would resolve as a dynamic reference (`{{resolve:…}}`) is refused
 * (`unrenderable_value`).
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { invokerRole, restateCloudTrustPolicy, toCloudFormation } from "@restate-connect/lambda-invoker-role";
 *
 * const spec = invokerRole({
 *   trustPolicy: restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" }),
 *   functionArns: ["arn:aws:lambda:us-east-1:123456789012:function:greeter"],
 * });
 * writeFileSync("invoker.yaml", toCloudFormation(spec, { format: "yaml" }));
 * // aws cloudformation deploy --template-file invoker.yaml --stack-name restate-invoker --capabilities CAPABILITY_NAMED_IAM
 * ```
 */
export function toCloudFormation(spec: InvokerRoleSpec, options: CloudFormationOptions = {}): string {
  const format = options.format ?? "json";
  if (format !== "json" && format !== "yaml") {
    throw new InvokerRoleError("invalid_option", `format must be "json" or "yaml", got ${describeValue(format)}`);
  }
  const template = cloudFormationTemplate(spec);
  refuseDynamicReferences(template);
  if (format === "yaml") return toYaml(template as unknown as YamlValue);
  return `${JSON.stringify(template, null, 2)}\n`;
}

/** The template object `toCloudFormation` prints. */
export function cloudFormationTemplate(spec: InvokerRoleSpec) {
  const trust = spec.trust;
  const who = trust.kind === "restate-cloud" ? `Restate Cloud environment ${trust.externalId}` : trust.principalArn;
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Role that ${who} assumes to invoke Restate services on AWS Lambda`,
    Resources: {
      [ROLE_ID]: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: spec.roleName,
          Path: spec.path,
          MaxSessionDuration: spec.maxSessionDuration,
          AssumeRolePolicyDocument: spec.trustPolicy,
          Policies: [{ PolicyName: spec.policyName, PolicyDocument: spec.invokePolicy }],
          ...(spec.tags.length > 0 ? { Tags: spec.tags } : {}),
        },
      },
    },
    Outputs: {
      RoleArn: {
        Description: "Pass to: restate deployments register <function-arn> --assume-role-arn <this>",
        Value: { "Fn::GetAtt": [ROLE_ID, "Arn"] },
      },
    },
  };
}
