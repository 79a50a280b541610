import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { RestateLambdaStack, type RestateLambdaStackProps } from "../src/cdk/stack.ts";
import { targetFromContext } from "../src/cdk/target.ts";
import { JOURNAL_ENCRYPTION_CONTEXT } from "../src/encryption-context.ts";
import { resolveIntrinsics } from "./support/cfn.ts";
import { simulateAssumeRole, simulateKeyPolicy } from "./support/iam.ts";

const IDENTITY_KEY = "publickeyv1_8X7UBhYEZmUPzoDF98w4u2HMiJvmte9NuyLHFKXWZZbN";
const ENVIRONMENT_ID = "env_201hy10cd3h6426jy80tb32n6en";
const RESTATE_CLOUD_ROLE = "arn:aws:iam::654654156625:role/RestateCloud";
const SERVER_ROLE = "arn:aws:iam::111122223333:role/restate-server";
const ACCOUNT = "111122223333";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:restate-profiles`;
const FUNCTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/restate-profiles-role`;
const INVOKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/restate-invoker`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function synth(restate: RestateLambdaStackProps["restate"], identityKeys: string[] = [IDENTITY_KEY]) {
  // Skip esbuild bundling here (the synth integration test bundles for real): these tests look at policies.
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new RestateLambdaStack(app, "Example", { restate, identityKeys });
  const template = Template.fromStack(stack);
  const logicalId = (type: string, prefix: string) => {
    const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };
  const ids = {
    fn: logicalId("AWS::Lambda::Function", "Function"),
    fnRole: logicalId("AWS::IAM::Role", "FunctionServiceRole"),
    invoker: logicalId("AWS::IAM::Role", "InvokerRole"),
    key: logicalId("AWS::KMS::Key", "JournalKey"),
  };
  const resolve = (value: unknown) =>
    resolveIntrinsics(value, {
      account: ACCOUNT,
      region: "us-east-1",
      attributes: {
        [`${ids.fn}.Arn`]: FUNCTION_ARN,
        [`${ids.fnRole}.Arn`]: FUNCTION_ROLE_ARN,
        [`${ids.invoker}.Arn`]: INVOKER_ROLE_ARN,
        [`${ids.key}.Arn`]: KEY_ARN,
      },
    });
  const resource = (id: string) => template.toJSON().Resources[id].Properties;
  return { template, ids, resolve, resource };
}

describe("RestateLambdaStack for Restate Cloud", () => {
  const { template, ids, resolve, resource } = synth({ kind: "cloud", environmentId: ENVIRONMENT_ID, region: "eu" });

  it("deploys the handler on Node 22, ARM64, configured with the identity key and the journal key", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      Environment: {
        Variables: { RESTATE_IDENTITY_KEYS: IDENTITY_KEY, JOURNAL_KMS_KEY_ID: { "Fn::GetAtt": [ids.key, "Arn"] } },
      },
    });
    template.resourceCountIs("AWS::Lambda::Version", 1);
  });

  it("trusts exactly Restate Cloud's role with the environment id as external id", async () => {
    const trust = resolve(resource(ids.invoker).AssumeRolePolicyDocument);
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "RestateCloudAssumeRole",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::654654156625:root" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:PrincipalArn": RESTATE_CLOUD_ROLE, "sts:ExternalId": ENVIRONMENT_ID } },
        },
        {
          Sid: "RestateCloudTagSession",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::654654156625:root" },
          Action: "sts:TagSession",
          Condition: { StringEquals: { "aws:PrincipalArn": RESTATE_CLOUD_ROLE } },
        },
      ],
    });
    const session = "arn:aws:sts::654654156625:assumed-role/RestateCloud/restate";
    const assume = (callerArn: string, externalId: string | undefined) =>
      simulateAssumeRole({ trustPolicy: trust, callerArn, roleArn: INVOKER_ROLE_ARN, externalId });
    expect(await assume(session, ENVIRONMENT_ID)).toBe("Allowed");
    expect(await assume(session, "env_someoneelse")).toBe("ImplicitlyDenied");
    expect(await assume(session, undefined)).toBe("ImplicitlyDenied");
    expect(await assume("arn:aws:sts::654654156625:assumed-role/OtherRole/x", ENVIRONMENT_ID)).toBe("ImplicitlyDenied");
    expect(await assume("arn:aws:sts::999999999999:assumed-role/RestateCloud/x", ENVIRONMENT_ID)).toBe(
      "ImplicitlyDenied",
    );
  });

  it("lets the invoker role invoke the function and its versions, and nothing else", async () => {
    const policies = resolve(resource(ids.invoker).Policies);
    expect(policies).toEqual([
      {
        PolicyName: "restate-invoke",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "InvokeRestateServices",
              Effect: "Allow",
              Action: "lambda:InvokeFunction",
              Resource: [FUNCTION_ARN, `${FUNCTION_ARN}:*`],
            },
          ],
        },
      },
    ]);
    // No other policy is attached to the invoker role anywhere in the template.
    const attachments = Object.values(template.findResources("AWS::IAM::Policy")).filter((policy) =>
      JSON.stringify(policy).includes(ids.invoker),
    );
    expect(attachments).toEqual([]);
  });

  it("grants the function's role only GenerateDataKey/Decrypt on the key, only under the encryption context", () => {
    const keyPolicy = resolve(resource(ids.key).KeyPolicy) as { Statement: Array<Record<string, unknown>> };
    const forFunction = keyPolicy.Statement.filter((statement) =>
      JSON.stringify(statement).includes(FUNCTION_ROLE_ARN),
    );
    expect(forFunction).toEqual([
      {
        Sid: "JournalDataKeysForTheFunction",
        Effect: "Allow",
        Principal: { AWS: FUNCTION_ROLE_ARN },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:EncryptionContext:purpose": JOURNAL_ENCRYPTION_CONTEXT.purpose,
            "kms:EncryptionContext:application": JOURNAL_ENCRYPTION_CONTEXT.application,
          },
        },
      },
    ]);
    // The function's role gets no KMS permission from IAM policies: the key policy is the only grant.
    expect(JSON.stringify(template.findResources("AWS::IAM::Policy"))).not.toContain("kms:");
    expect(JSON.stringify(resource(ids.fnRole))).not.toContain("kms:");

    const session = "arn:aws:sts::111122223333:assumed-role/restate-profiles-role/restate-profiles";
    const call = (action: string, encryptionContext: Record<string, string> | undefined, callerArn = session) =>
      simulateKeyPolicy({ keyPolicy, keyArn: KEY_ARN, callerArn, action, encryptionContext });
    expect(call("kms:GenerateDataKey", { ...JOURNAL_ENCRYPTION_CONTEXT })).toBe("Allowed");
    expect(call("kms:Decrypt", { ...JOURNAL_ENCRYPTION_CONTEXT })).toBe("Allowed");
    expect(call("kms:GenerateDataKey", { purpose: "restate-journal" })).toBe("ImplicitlyDenied");
    expect(call("kms:Decrypt", undefined)).toBe("ImplicitlyDenied");
    expect(call("kms:Decrypt", { ...JOURNAL_ENCRYPTION_CONTEXT, application: "another-app" })).toBe("ImplicitlyDenied");
    expect(call("kms:Encrypt", { ...JOURNAL_ENCRYPTION_CONTEXT })).toBe("ImplicitlyDenied");
    expect(call("kms:ReEncryptFrom", { ...JOURNAL_ENCRYPTION_CONTEXT })).toBe("ImplicitlyDenied");
    expect(
      call("kms:Decrypt", { ...JOURNAL_ENCRYPTION_CONTEXT }, "arn:aws:sts::111122223333:assumed-role/other-role/x"),
    ).toBe("ImplicitlyDenied");
  });

  it("outputs what the post-deploy registration needs: the published version and the invoker role", () => {
    template.hasOutput("FunctionVersionArn", { Value: { Ref: Match.stringLikeRegexp("^FunctionCurrentVersion") } });
    template.hasOutput("InvokerRoleArn", { Value: { "Fn::GetAtt": [ids.invoker, "Arn"] } });
  });
});

describe("RestateLambdaStack for a self-hosted cluster", () => {
  it("trusts the server's role, bound to the external id when one is configured", async () => {
    const { ids, resolve, resource } = synth({
      kind: "self-hosted",
      principalArn: SERVER_ROLE,
      externalId: "restate-prod",
    });
    const trust = resolve(resource(ids.invoker).AssumeRolePolicyDocument);
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "RestateServerAssumeRole",
          Effect: "Allow",
          Principal: { AWS: SERVER_ROLE },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": "restate-prod" } },
        },
      ],
    });
    const session = "arn:aws:sts::111122223333:assumed-role/restate-server/task";
    const assume = (callerArn: string, externalId: string | undefined) =>
      simulateAssumeRole({ trustPolicy: trust, callerArn, roleArn: INVOKER_ROLE_ARN, externalId });
    expect(await assume(session, "restate-prod")).toBe("Allowed");
    expect(await assume(session, "restate-dev")).toBe("ImplicitlyDenied");
    expect(await assume(session, undefined)).toBe("ImplicitlyDenied");
    expect(await assume("arn:aws:sts::111122223333:assumed-role/other-task/x", "restate-prod")).toBe(
      "ImplicitlyDenied",
    );
  });

  it("without an external id, trusts the server's role alone", async () => {
    const { ids, resolve, resource } = synth({ kind: "self-hosted", principalArn: SERVER_ROLE });
    const trust = resolve(resource(ids.invoker).AssumeRolePolicyDocument) as {
      Statement: Array<Record<string, unknown>>;
    };
    expect(trust.Statement).toEqual([
      { Sid: "RestateServerAssumeRole", Effect: "Allow", Principal: { AWS: SERVER_ROLE }, Action: "sts:AssumeRole" },
    ]);
    const assume = (callerArn: string) =>
      simulateAssumeRole({ trustPolicy: trust, callerArn, roleArn: INVOKER_ROLE_ARN, externalId: undefined });
    expect(await assume("arn:aws:sts::111122223333:assumed-role/restate-server/task")).toBe("Allowed");
    expect(await assume("arn:aws:sts::111122223333:assumed-role/other-task/x")).toBe("ImplicitlyDenied");
  });
});

describe("settings are validated before anything is synthesised", () => {
  it.each([
    [{ kind: "cloud", environmentId: "env_NOT-valid" }, /environment id/],
    [{ kind: "self-hosted", principalArn: "restate-server" }, /arn/i],
    [{ kind: "self-hosted", principalArn: SERVER_ROLE, externalId: "x" }, /external id/],
  ] as const)("refuses %j", (restate, message) => {
    expect(() => synth(restate as RestateLambdaStackProps["restate"])).toThrow(message);
  });

  it("refuses a malformed identity key and an empty key list", () => {
    const target = { kind: "cloud", environmentId: ENVIRONMENT_ID } as const;
    expect(() => synth(target, ["publickeyv1_notbase58!"])).toThrow(
      expect.objectContaining({ code: expect.any(String) }),
    );
    expect(() => synth(target, [])).toThrow(/identityKeys/);
  });

  it("reads the target from CDK context values and names what is missing", () => {
    const from = (values: Record<string, string>) => targetFromContext((key) => values[key]);
    expect(from({ "restate:target": "cloud", "restate:environmentId": ENVIRONMENT_ID })).toEqual({
      kind: "cloud",
      environmentId: ENVIRONMENT_ID,
      region: "us",
    });
    expect(
      from({
        "restate:target": "self-hosted",
        "restate:principalArn": SERVER_ROLE,
        "restate:externalId": "restate-prod",
      }),
    ).toEqual({ kind: "self-hosted", principalArn: SERVER_ROLE, externalId: "restate-prod" });
    expect(() => from({})).toThrow(/restate:target is required/);
    expect(() => from({ "restate:target": "cloud" })).toThrow(/restate:environmentId is required/);
    expect(() =>
      from({ "restate:target": "cloud", "restate:environmentId": ENVIRONMENT_ID, "restate:cloudRegion": "ap" }),
    ).toThrow(/us or eu/);
    expect(() => from({ "restate:target": "byoc" })).toThrow(/cloud or self-hosted/);
  });
});
