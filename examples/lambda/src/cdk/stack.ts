import { fileURLToPath } from "node:url";
import { SETTINGS } from "@restate-connect/example-service-settings";
import { createVerifier } from "@restate-connect/identity";
import { RestateInvokerRole } from "@restate-connect/lambda-invoker-role/cdk";
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { encryptionContextCondition } from "../encryption-context.ts";
import { ExampleConfigError } from "../errors.ts";
import { OUTPUTS } from "./outputs.ts";
import { type RestateTarget, trustPolicyFor } from "./target.ts";

export interface RestateLambdaStackProps extends StackProps {
  /** Who invokes the function (decides the invoker role's trust policy). */
  readonly restate: RestateTarget;
  /** `publickeyv1_…` request identity keys of the Restate environment (Cloud UI or server config). */
  readonly identityKeys: readonly string[];
  /** Name of the invoker role. Default `restate-invoker-<stack name>`. */
  readonly invokerRoleName?: string;
}

/**
 * The function (Node 22, ARM64) serving the `profiles` Restate service, its KMS key for journal
 * encryption, and the role Restate assumes to invoke it.
 *
 * @example
 * ```ts
 * new RestateLambdaStack(app, "RestateLambdaExample", {
 *   restate: { kind: "cloud", environmentId: "env_201hy10cd3h6426jy80tb32n6en" },
 *   identityKeys: ["publickeyv1_…"],
 * });
 * ```
 */
export class RestateLambdaStack extends Stack {
  readonly fn: NodejsFunction;
  readonly journalKey: Key;
  readonly invoker: RestateInvokerRole;

  constructor(scope: Construct, id: string, props: RestateLambdaStackProps) {
    super(scope, id, props);
    // Validate (and fail synth) before anything is created: a role that trusts the wrong principal
    // must never be deployed.
    const trustPolicy = trustPolicyFor(props.restate);
    if (props.identityKeys.length === 0) {
      throw new ExampleConfigError(
        "missing_setting",
        "identityKeys must list the Restate environment's publickeyv1_… key(s)",
      );
    }
    // createVerifier throws a typed IdentityError naming which key is wrong and how (fail at synth).
    createVerifier({ keys: props.identityKeys });

    this.journalKey = new Key(this, "JournalKey", {
      description: "Wraps the data keys that encrypt Restate journal values of the profiles service",
      enableKeyRotation: true,
    });

    this.fn = new NodejsFunction(this, "Function", {
      entry: fileURLToPath(new URL("../lambda.ts", import.meta.url)),
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: {
        [SETTINGS.identityKeys]: props.identityKeys.join(","),
        [SETTINGS.journalKmsKeyId]: this.journalKey.keyArn,
      },
      bundling: { format: OutputFormat.ESM, target: "node22", minify: true, sourceMap: true },
    });

    // The function's role may use the key only to create and unwrap journal data keys, and only
    // with this service's encryption context. No IAM policy on the role: the key policy is the grant.
    this.journalKey.addToResourcePolicy(
      new PolicyStatement({
        sid: "JournalDataKeysForTheFunction",
        principals: [this.fn.role!],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: { StringEquals: encryptionContextCondition() },
      }),
    );

    this.invoker = new RestateInvokerRole(this, "InvokerRole", {
      trustPolicy,
      roleName: props.invokerRoleName ?? `restate-invoker-${this.stackName}`,
    });
    // The function and its versions: Restate registers version-qualified ARNs and keeps invoking
    // older versions until their in-flight invocations have finished.
    this.invoker.grantInvoke(this.fn);

    const version = this.fn.currentVersion;
    new CfnOutput(this, OUTPUTS.functionVersionArn, {
      value: version.functionArn,
      description: "Register this ARN with Restate",
    });
    new CfnOutput(this, OUTPUTS.invokerRoleArn, {
      value: this.invoker.roleArn,
      description: "assumeRoleArn for the registration",
    });
    new CfnOutput(this, OUTPUTS.journalKeyArn, { value: this.journalKey.keyArn });
  }
}
