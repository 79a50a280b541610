import { describe, expect, it } from "vitest";
import {
  checkTrustPolicy,
  invokePolicy,
  type Partition,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
  type TrustExpectations,
} from "../src/index.js";
import { ENV_ID } from "./fixtures.js";
import { assumeDecision, type Caller, invokeDecision } from "./simulate.js";

const CUSTOMER = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const REGION: Record<Partition, string> = { aws: "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1" };

interface Scenario {
  readonly name: string;
  readonly partition: Partition;
  readonly document: unknown;
  readonly intended: string;
  readonly externalId: string | undefined;
  readonly tagSession: boolean;
}

const scenarios: Scenario[] = [];
{
  const trust = restateCloudTrustPolicy({ environmentId: ENV_ID });
  scenarios.push({
    name: "Restate Cloud",
    partition: "aws",
    document: trust,
    intended: RESTATE_CLOUD_PRINCIPAL_ARN,
    externalId: ENV_ID,
    tagSession: true,
  });
}
for (const partition of ["aws", "aws-cn", "aws-us-gov"] as const) {
  const principal = `arn:${partition}:iam::${CUSTOMER}:role/restate-server-task`;
  for (const externalId of [undefined, "restate-prod"]) {
    scenarios.push({
      name: `self-hosted in ${partition} ${externalId ? "with" : "without"} external id`,
      partition,
      document: selfHostedTrustPolicy({ principalArn: principal, ...(externalId ? { externalId } : {}) }),
      intended: principal,
      externalId,
      tagSession: false,
    });
  }
}

describe.each(scenarios)("trust policy: $name", (scenario) => {
  const roleArn = `arn:${scenario.partition}:iam::${CUSTOMER}:role/restate-invoker`;
  const intendedAccount = scenario.intended.split(":")[4]!;
  const otherRole = `arn:${scenario.partition}:iam::${intendedAccount}:role/SomeoneElse`;
  const otherAccountSameName = scenario.intended.replace(intendedAccount, OTHER_ACCOUNT);
  const withId = (roleArn: string | undefined, externalId = scenario.externalId): Caller => ({
    ...(roleArn ? { roleArn } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
  });

  it("allows the intended principal with the right external id", async () => {
    expect(await assumeDecision(scenario.document, roleArn, withId(scenario.intended))).toBe("Allowed");
    if (scenario.tagSession) {
      expect(await assumeDecision(scenario.document, roleArn, withId(scenario.intended), "sts:TagSession")).toBe(
        "Allowed",
      );
    }
  });

  it("denies a wrong, differently-cased or missing external id", async () => {
    if (scenario.externalId === undefined) {
      // Without an external id in the policy, any (or no) external id is accepted: that is the
      // documented trade-off of not configuring one on the server.
      expect(await assumeDecision(scenario.document, roleArn, withId(scenario.intended, "anything"))).toBe("Allowed");
      return;
    }
    const denied = [`${scenario.externalId}x`, scenario.externalId.toUpperCase(), undefined];
    for (const externalId of denied) {
      const caller: Caller =
        externalId === undefined ? { roleArn: scenario.intended } : { roleArn: scenario.intended, externalId };
      expect(await assumeDecision(scenario.document, roleArn, caller), String(externalId)).not.toBe("Allowed");
    }
  });

  it("denies another role in the same account, another account, and anonymous callers", async () => {
    expect(await assumeDecision(scenario.document, roleArn, withId(otherRole))).not.toBe("Allowed");
    expect(await assumeDecision(scenario.document, roleArn, withId(otherAccountSameName))).not.toBe("Allowed");
    expect(await assumeDecision(scenario.document, roleArn, withId(undefined))).not.toBe("Allowed");
    if (scenario.tagSession) {
      expect(await assumeDecision(scenario.document, roleArn, withId(otherRole), "sts:TagSession")).not.toBe("Allowed");
    }
  });
});

describe("Restate Cloud's documented trust policy", () => {
  const documented = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::654654156625:root" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:PrincipalArn": "arn:aws:iam::654654156625:role/RestateCloud", "sts:ExternalId": ENV_ID },
        },
      },
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::654654156625:root" }, Action: "sts:TagSession" },
    ],
  };
  const roleArn = `arn:aws:iam::${CUSTOMER}:role/restate-invoker`;

  it("behaves like ours for assuming the role", async () => {
    const ours = restateCloudTrustPolicy({ environmentId: ENV_ID });
    const callers: Caller[] = [
      { roleArn: RESTATE_CLOUD_PRINCIPAL_ARN, externalId: ENV_ID },
      { roleArn: RESTATE_CLOUD_PRINCIPAL_ARN, externalId: "env_other" },
      { roleArn: RESTATE_CLOUD_PRINCIPAL_ARN },
      { roleArn: "arn:aws:iam::654654156625:role/Other", externalId: ENV_ID },
      { roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/RestateCloud`, externalId: ENV_ID },
    ];
    const decisions = await Promise.all(callers.map((caller) => assumeDecision(documented, roleArn, caller)));
    const oursDecisions = await Promise.all(callers.map((caller) => assumeDecision(ours, roleArn, caller)));
    expect(decisions).toEqual(oursDecisions);
    expect(decisions.map((decision) => decision === "Allowed")).toEqual([true, false, false, false, false]);
  });

  it("passes check, with a warning that TagSession is open to the whole Restate Cloud account", async () => {
    const report = checkTrustPolicy(documented, { environmentId: ENV_ID });
    expect(report.ok).toBe(true);
    expect(report.findings.map((finding) => [finding.severity, finding.code])).toEqual([
      ["warning", "principal_not_bound"],
    ]);
    // ...which the simulator confirms: any role in that account may tag sessions, ours binds it.
    const other = { roleArn: "arn:aws:iam::654654156625:role/Other" };
    expect(await assumeDecision(documented, roleArn, other, "sts:TagSession")).toBe("Allowed");
    const ours = restateCloudTrustPolicy({ environmentId: ENV_ID });
    expect(await assumeDecision(ours, roleArn, other, "sts:TagSession")).not.toBe("Allowed");
  });
});

describe("weak trust policies: the simulator shows the hole, check flags it", () => {
  const roleArn = `arn:aws:iam::${CUSTOMER}:role/restate-invoker`;
  const intended = `arn:aws:iam::${CUSTOMER}:role/restate-server-task`;
  const attacker: Caller = { roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/attacker`, externalId: "restate-prod" };
  const selfHosted: TrustExpectations = { principalArn: intended, externalId: "restate-prod" };
  const cloud: TrustExpectations = { environmentId: ENV_ID };
  const statement = (extra: Record<string, unknown>) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...extra }],
  });

  const weak: { name: string; policy: unknown; expect: TrustExpectations; caller: Caller; codes: string[] }[] = [
    {
      name: "wildcard principal",
      policy: statement({ Principal: { AWS: "*" }, Condition: { StringEquals: { "sts:ExternalId": "restate-prod" } } }),
      expect: selfHosted,
      caller: attacker,
      codes: ["wildcard_principal", "intended_principal_not_allowed"],
    },
    {
      name: 'bare "*" principal without conditions',
      policy: statement({ Principal: "*" }),
      expect: selfHosted,
      caller: { roleArn: attacker.roleArn! },
      codes: [
        "wildcard_principal",
        "unconditioned_assume_role",
        "missing_external_id",
        "intended_principal_not_allowed",
      ],
    },
    {
      name: "Restate Cloud account without external id (confused deputy)",
      policy: statement({
        Principal: { AWS: "arn:aws:iam::654654156625:root" },
        Condition: { StringEquals: { "aws:PrincipalArn": RESTATE_CLOUD_PRINCIPAL_ARN } },
      }),
      expect: cloud,
      caller: { roleArn: RESTATE_CLOUD_PRINCIPAL_ARN, externalId: "env_someoneelse" },
      codes: ["missing_external_id", "tag_session_missing"],
    },
    {
      name: "Restate Cloud account not bound to the RestateCloud role",
      policy: statement({
        Principal: { AWS: "arn:aws:iam::654654156625:root" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { StringEquals: { "sts:ExternalId": ENV_ID } },
      }),
      expect: cloud,
      caller: { roleArn: "arn:aws:iam::654654156625:role/AnyOtherRole", externalId: ENV_ID },
      codes: ["principal_not_bound"],
    },
    {
      name: "external id compared case-insensitively",
      policy: statement({
        Principal: { AWS: intended },
        Condition: { StringEqualsIgnoreCase: { "sts:ExternalId": "restate-prod" } },
      }),
      expect: selfHosted,
      caller: { roleArn: intended, externalId: "RESTATE-PROD" },
      codes: ["external_id_case_insensitive"],
    },
    {
      name: "external id optional (IfExists)",
      policy: statement({
        Principal: { AWS: intended },
        Condition: { StringEqualsIfExists: { "sts:ExternalId": "restate-prod" } },
      }),
      expect: selfHosted,
      caller: { roleArn: intended },
      codes: ["external_id_optional"],
    },
    {
      name: "external id by wildcard pattern",
      policy: statement({ Principal: { AWS: intended }, Condition: { StringLike: { "sts:ExternalId": "restate-*" } } }),
      expect: selfHosted,
      caller: { roleArn: intended, externalId: "restate-evil" },
      codes: ["external_id_pattern", "external_id_mismatch"],
    },
    {
      name: "whole customer account trusted",
      policy: statement({
        Principal: { AWS: `arn:aws:iam::${CUSTOMER}:root` },
        Condition: { StringEquals: { "sts:ExternalId": "restate-prod" } },
      }),
      expect: selfHosted,
      caller: { roleArn: `arn:aws:iam::${CUSTOMER}:role/any-developer`, externalId: "restate-prod" },
      codes: ["principal_not_bound"],
    },
  ];

  for (const example of weak) {
    it(example.name, async () => {
      expect(await assumeDecision(example.policy, roleArn, example.caller)).toBe("Allowed");
      const report = checkTrustPolicy(example.policy, example.expect);
      expect(report.ok).toBe(false);
      const codes = report.findings.map((finding) => finding.code);
      for (const code of example.codes) expect(codes).toContain(code);
    });
  }

  it("our generated policies pass check with no findings", () => {
    const cloudReport = checkTrustPolicy(restateCloudTrustPolicy({ environmentId: ENV_ID }), cloud);
    expect(cloudReport).toEqual({ ok: true, findings: [] });
    const selfReport = checkTrustPolicy(
      selfHostedTrustPolicy({ principalArn: intended, externalId: "restate-prod" }),
      selfHosted,
    );
    expect(selfReport).toEqual({ ok: true, findings: [] });
  });
});

describe.each(["aws", "aws-cn", "aws-us-gov"] as const)("invoke policy in %s", (partition) => {
  const region = REGION[partition];
  const base = `arn:${partition}:lambda:${region}:${CUSTOMER}:function`;
  const role = `arn:${partition}:iam::${CUSTOMER}:role/restate-invoker`;

  it("an unqualified function ARN covers the function, its versions and aliases, and nothing else", async () => {
    const policy = invokePolicy({ functionArns: [`${base}:greeter`] });
    for (const resource of [
      `${base}:greeter`,
      `${base}:greeter:7`,
      `${base}:greeter:$LATEST`,
      `${base}:greeter:live`,
    ]) {
      expect(await invokeDecision(policy, role, "lambda:InvokeFunction", resource), resource).toBe("Allowed");
    }
    const others = [
      `${base}:greeter2`,
      `${base}:greeter-admin`,
      `${base}:greeter-admin:1`,
      `${base}:other:1`,
      `arn:${partition}:lambda:${region}:${OTHER_ACCOUNT}:function:greeter`,
    ];
    for (const resource of others) {
      expect(await invokeDecision(policy, role, "lambda:InvokeFunction", resource), resource).not.toBe("Allowed");
    }
    for (const action of [
      "lambda:GetFunction",
      "lambda:UpdateFunctionCode",
      "lambda:InvokeAsync",
      "lambda:DeleteFunction",
    ]) {
      expect(await invokeDecision(policy, role, action, `${base}:greeter`), action).not.toBe("Allowed");
    }
  });

  it("a qualified ARN covers exactly that version or alias", async () => {
    const policy = invokePolicy({ functionArns: [`${base}:greeter:7`, `${base}:checkout:live`] });
    expect(await invokeDecision(policy, role, "lambda:InvokeFunction", `${base}:greeter:7`)).toBe("Allowed");
    expect(await invokeDecision(policy, role, "lambda:InvokeFunction", `${base}:checkout:live`)).toBe("Allowed");
    for (const resource of [`${base}:greeter`, `${base}:greeter:8`, `${base}:greeter:70`, `${base}:checkout:live2`]) {
      expect(await invokeDecision(policy, role, "lambda:InvokeFunction", resource), resource).not.toBe("Allowed");
    }
  });
});
