import { App, Aws, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { RestateInvokerRole } from "../src/cdk.js";
import { InvokerRoleError, restateCloudTrustPolicy, selfHostedTrustPolicy } from "../src/index.js";
import { ACCOUNT, SPECS } from "./fixtures.js";

function roleOf(stack: Stack) {
  const roles = Template.fromStack(stack).findResources("AWS::IAM::Role");
  const entries = Object.entries(roles).filter(([logicalId]) => logicalId.startsWith("Invoker"));
  expect(entries).toHaveLength(1);
  return entries[0]![1].Properties;
}

const byKey = (tags: readonly { Key: string }[]) => [...tags].sort((a, b) => a.Key.localeCompare(b.Key));

describe("RestateInvokerRole", () => {
  for (const [name, make] of Object.entries(SPECS)) {
    it(`${name}: synthesises exactly the generator's trust and inline policy`, () => {
      const spec = make();
      const stack = new Stack(new App(), "Stack");
      new RestateInvokerRole(stack, "Invoker", {
        trustPolicy: spec.trustPolicy,
        functionArns: spec.functionArns,
        roleName: spec.roleName,
        path: spec.path,
        maxSessionDuration: spec.maxSessionDuration,
        tags: Object.fromEntries(spec.tags.map((tag) => [tag.Key, tag.Value])),
      });
      const role = roleOf(stack);
      expect(role.AssumeRolePolicyDocument).toEqual(spec.trustPolicy);
      expect(role.Policies).toEqual([{ PolicyName: spec.policyName, PolicyDocument: spec.invokePolicy }]);
      expect(role.RoleName).toBe(spec.roleName);
      expect(role.Path).toBe(spec.path);
      expect(role.MaxSessionDuration).toBe(spec.maxSessionDuration);
      // CDK sorts tags by key; their order has no meaning to IAM.
      expect(role.Tags ?? []).toEqual(byKey(spec.tags));
    });
  }

  it("grantInvoke(fn) covers a CDK function and its versions/aliases, a Version exactly", () => {
    const stack = new Stack(new App(), "Stack");
    const fn = new LambdaFunction(stack, "Greeter", {
      runtime: Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: Code.fromInline("exports.handler = async () => ({})"),
    });
    const invoker = new RestateInvokerRole(stack, "Invoker", {
      trustPolicy: restateCloudTrustPolicy({ environmentId: "env_abc123" }),
    });
    invoker.grantInvoke(fn);
    invoker.grantInvoke(fn.currentVersion);
    invoker.grantInvoke(fn);
    const role = roleOf(stack);
    const resources = role.Policies[0].PolicyDocument.Statement[0].Resource;
    const fnArn = { "Fn::GetAtt": [expect.stringMatching(/^Greeter/), "Arn"] };
    expect(resources).toHaveLength(3);
    expect(resources[0]).toEqual(fnArn);
    expect(resources[1]).toEqual({ "Fn::Join": ["", [fnArn, ":*"]] });
    expect(resources[2]).toEqual({ Ref: expect.stringMatching(/^GreeterCurrentVersion/) });
    expect(role.Policies[0].PolicyDocument.Statement[0].Action).toBe("lambda:InvokeFunction");
  });

  it("grantInvoke validates the literal ARN of an imported function like a string ARN", () => {
    const stack = new Stack(new App(), "Stack");
    const invoker = new RestateInvokerRole(stack, "Invoker", {
      trustPolicy: restateCloudTrustPolicy({ environmentId: "env_abc123" }),
    });
    // CDK imports these without complaint; granted as given, `function:*` let the role invoke every function.
    for (const arn of [
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`,
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f*`,
    ]) {
      const imported = LambdaFunction.fromFunctionArn(stack, `F${arn.length}${arn.at(-2)}`, arn);
      expect(() => invoker.grantInvoke(imported), arn).toThrow(InvokerRoleError);
    }
    const cn = LambdaFunction.fromFunctionArn(stack, "Cn", `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f`);
    expect(() => invoker.grantInvoke(cn)).toThrow(expect.objectContaining({ code: "partition_mismatch" }));
    invoker.grantInvoke(LambdaFunction.fromFunctionArn(stack, "Ok", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`));
    expect(roleOf(stack).Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f:*`,
    ]);
  });

  it("refuses to synthesise a role that can invoke nothing", () => {
    const app = new App();
    const stack = new Stack(app, "Stack");
    new RestateInvokerRole(stack, "Invoker", { trustPolicy: restateCloudTrustPolicy({ environmentId: "env_abc123" }) });
    expect(() => app.synth()).toThrow(/no function granted/);
  });

  it("validates like the generator: bad names and partition mismatches throw", () => {
    const stack = new Stack(new App(), "Stack");
    const trust = selfHostedTrustPolicy({ principalArn: `arn:aws:iam::${ACCOUNT}:role/restate` });
    expect(() => new RestateInvokerRole(stack, "A", { trustPolicy: trust, roleName: "bad name" })).toThrow(
      InvokerRoleError,
    );
    const invoker = new RestateInvokerRole(stack, "B", { trustPolicy: trust });
    expect(() => invoker.grantInvoke(`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:greeter`)).toThrow(
      expect.objectContaining({ code: "partition_mismatch" }),
    );
    expect(() => invoker.grantInvoke("arn:aws:lambda:us-east-1:1:function:x")).toThrow(
      expect.objectContaining({ code: "invalid_account_id" }),
    );
  });

  it("refuses literal text CDK would resolve as a token (a principal or role path spelling ${Token[…]})", () => {
    const stack = new Stack(new App(), "Stack");
    // The marker CDK uses for the region pseudo parameter; in a path it became {"Ref": "AWS::Region"}.
    const marker = Aws.REGION;
    const principalArn = `arn:aws:iam::${ACCOUNT}:role/x${marker}y/restate`;
    const functionArns = [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`];
    expect(
      () => new RestateInvokerRole(stack, "A", { trustPolicy: selfHostedTrustPolicy({ principalArn }), functionArns }),
    ).toThrow(expect.objectContaining({ code: "unrenderable_value", message: expect.stringMatching(/CDK token/) }));
    const trust = selfHostedTrustPolicy({ principalArn: `arn:aws:iam::${ACCOUNT}:role/restate` });
    expect(
      () => new RestateInvokerRole(stack, "B", { trustPolicy: trust, functionArns, path: `/x${marker}y/` }),
    ).toThrow(expect.objectContaining({ code: "unrenderable_value" }));
  });

  it("refuses text CloudFormation would resolve as a dynamic reference (a principal or role path spelling {{resolve:…}})", () => {
    // IAM paths may hold { } and :, so a path can spell a dynamic reference; CDK copies it into the
    // template verbatim and CloudFormation would replace it with an SSM parameter's value.
    const stack = new Stack(new App(), "Stack");
    const reference = "{{resolve:ssm:trusted-role-path}}";
    const functionArns = [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`];
    const principalArn = `arn:aws:iam::${ACCOUNT}:role/${reference}/restate`;
    expect(
      () => new RestateInvokerRole(stack, "A", { trustPolicy: selfHostedTrustPolicy({ principalArn }), functionArns }),
    ).toThrow(
      expect.objectContaining({ code: "unrenderable_value", message: expect.stringMatching(/dynamic reference/) }),
    );
    const trust = selfHostedTrustPolicy({ principalArn: `arn:aws:iam::${ACCOUNT}:role/restate` });
    expect(
      () => new RestateInvokerRole(stack, "B", { trustPolicy: trust, functionArns, path: `/${reference}/` }),
    ).toThrow(expect.objectContaining({ code: "unrenderable_value" }));
  });
});
