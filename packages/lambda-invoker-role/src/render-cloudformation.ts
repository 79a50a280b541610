import type { InvokerRoleSpec } from "./role.js";
import { toYaml, type YamlValue } from "./yaml.js";

export interface CloudFormationOptions {
  /** Default `json`. */
  readonly format?: "json" | "yaml";
}

/** Logical id of the role in the generated template. */
export const CLOUDFORMATION_ROLE_ID = "RestateInvokerRole";

/**
 * A complete CloudFormation template: the role with its inline invoke policy and an output with
 * the role ARN (what `restate deployments register --assume-role-arn` needs). Because the role
 * has an explicit name, deploy it with `--capabilities CAPABILITY_NAMED_IAM`.
 *
 * @example
 * ```ts
 * writeFileSync("invoker.yaml", toCloudFormation(spec, { format: "yaml" }));
 * // aws cloudformation deploy --template-file invoker.yaml --stack-name restate-invoker --capabilities CAPABILITY_NAMED_IAM
 * ```
 */
export function toCloudFormation(spec: InvokerRoleSpec, options: CloudFormationOptions = {}): string {
  const template = cloudFormationTemplate(spec);
  const format = options.format ?? "json";
  if (format === "yaml") return toYaml(template as unknown as YamlValue);
  if (format !== "json") throw new TypeError(`format must be "json" or "yaml", got ${JSON.stringify(format)}`);
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
      [CLOUDFORMATION_ROLE_ID]: {
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
        Value: { "Fn::GetAtt": [CLOUDFORMATION_ROLE_ID, "Arn"] },
      },
    },
  };
}
