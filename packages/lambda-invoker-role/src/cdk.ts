import { Lazy, Token } from "aws-cdk-lib";
import { CfnRole, type IRole, Role } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { parseFunctionArn } from "./arn.js";
import { refuseDynamicReferences } from "./dynamic-reference.js";
import { describeValue, InvokerRoleError } from "./errors.js";
import { invokeResources } from "./invoke-policy.js";
import type { PolicyDocument } from "./policy.js";
import { POLICY_VERSION } from "./policy.js";
import { INVOKE_POLICY_NAME, roleSettings } from "./role.js";
import { type TrustPolicyInfo, trustPolicyInfo } from "./trust-policy.js";

export interface RestateInvokerRoleProps {
  /** From `restateCloudTrustPolicy` or `selfHostedTrustPolicy`. */
  readonly trustPolicy: PolicyDocument;
  /** Function ARNs known up front (validated like `invokePolicy`); add more with `grantInvoke`. */
  readonly functionArns?: readonly string[];
  /** Default `restate-invoker`. */
  readonly roleName?: string;
  /** Default `/`. */
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Seconds, 3600 (default) to 43200. */
  readonly maxSessionDuration?: number;
}

/**
 * CDK resolves any string holding a token marker (`${Token[…]}`) into a CloudFormation expression at
 * synthesis, so an IAM path or principal ARN path spelling one would turn data into a reference.
 * Values that must be literal are refused when they hold one.
 */
function refuseTokens(value: unknown, what: string): void {
  if (typeof value === "string") {
    if (Token.isUnresolved(value)) {
      throw new InvokerRoleError(
        "unrenderable_value",
        `${what} ${describeValue(value)} holds a CDK token marker, which CDK would resolve instead of keeping the text`,
      );
    }
  } else if (Array.isArray(value)) {
    for (const item of value) refuseTokens(item, what);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      refuseTokens(key, what);
      refuseTokens(item, what);
    }
  }
}

/**
 * The invoker role as a CDK construct: exactly the trust policy and inline invoke policy the JSON
 * generator produces (an `AWS::IAM::Role` with `Policies`), plus `grantInvoke(fn)` for functions
 * defined in the same app.
 *
 * @example
 * ```ts
 * import { restateCloudTrustPolicy } from "@restate-connect/lambda-invoker-role";
 * import { RestateInvokerRole } from "@restate-connect/lambda-invoker-role/cdk";
 * import { CfnOutput } from "aws-cdk-lib";
 *
 * const invoker = new RestateInvokerRole(stack, "Invoker", {
 *   trustPolicy: restateCloudTrustPolicy({ environmentId: "env_201hy10cd3h6426jy80tb32n6en" }),
 * });
 * invoker.grantInvoke(greeterFunction);
 * new CfnOutput(stack, "InvokerRoleArn", { value: invoker.roleArn });
 * ```
 */
export class RestateInvokerRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The role, for APIs that take an `IRole` (immutable: policies are managed by this construct). */
  readonly role: IRole;
  private readonly resources: string[] = [];
  private readonly trust: TrustPolicyInfo;

  constructor(scope: Construct, id: string, props: RestateInvokerRoleProps) {
    super(scope, id);
    if (!props || typeof props !== "object") {
      throw new InvokerRoleError("invalid_option", "RestateInvokerRole needs props with a trustPolicy");
    }
    this.trust = trustPolicyInfo(props.trustPolicy);
    const settings = roleSettings(props);
    refuseTokens(props.trustPolicy, "the trust policy's");
    refuseTokens(settings.path, "path");
    refuseTokens(settings.tags, "tag");
    // CDK copies these into the template, where CloudFormation would resolve a dynamic reference.
    refuseDynamicReferences(props.trustPolicy, "the trust policy's");
    refuseDynamicReferences(settings.path, "path");
    refuseDynamicReferences(settings.tags, "tag");
    const cfn = new CfnRole(this, "Resource", {
      roleName: settings.roleName,
      path: settings.path,
      maxSessionDuration: settings.maxSessionDuration,
      assumeRolePolicyDocument: props.trustPolicy,
      policies: Lazy.any({
        produce: () =>
          this.resources.length === 0
            ? undefined
            : [
                {
                  policyName: INVOKE_POLICY_NAME,
                  policyDocument: {
                    Version: POLICY_VERSION,
                    Statement: [
                      {
                        Sid: "InvokeRestateServices",
                        Effect: "Allow",
                        Action: "lambda:InvokeFunction",
                        Resource: this.resources,
                      },
                    ],
                  },
                },
              ],
      }),
      ...(settings.tags.length > 0 ? { tags: settings.tags.map((tag) => ({ key: tag.Key, value: tag.Value })) } : {}),
    });
    this.roleArn = cfn.attrArn;
    this.roleName = cfn.ref;
    this.role = Role.fromRoleArn(this, "Imported", cfn.attrArn, { mutable: false });
    for (const arn of props.functionArns ?? []) this.grantInvoke(arn);
    this.node.addValidation({
      validate: () =>
        this.resources.length === 0 ? ["RestateInvokerRole: no function granted; call grantInvoke(fn)"] : [],
    });
  }

  /**
   * Allows the role to invoke the function: an unqualified function and all its versions/aliases,
   * or exactly the given version/alias. Accepts a CDK function or a function ARN string; a string
   * holding a CDK token (e.g. another construct's ARN) is granted as given, plus `:*`.
   */
  grantInvoke(fn: IFunction | string): void {
    // A Version or Alias object: its ARN is already qualified.
    const qualified = typeof fn !== "string" && "lambda" in fn;
    const arn = typeof fn === "string" ? fn : fn.functionArn;
    let added: string[];
    if (!Token.isUnresolved(arn)) {
      // A literal ARN, given as a string or inside an imported function (`Function.fromFunctionArn`):
      // validated like invokePolicy's, so no wildcard or other partition gets in either way.
      const parsed = parseFunctionArn(arn);
      if (parsed.partition !== this.trust.partition) {
        throw new InvokerRoleError(
          "partition_mismatch",
          `function ${arn} is in partition ${parsed.partition} but the trusted principal is in ${this.trust.partition}`,
        );
      }
      added = invokeResources(parsed);
    } else if (qualified) {
      added = [arn];
    } else {
      added = [arn, `${arn}:*`];
    }
    for (const resource of added) if (!this.resources.includes(resource)) this.resources.push(resource);
  }
}
