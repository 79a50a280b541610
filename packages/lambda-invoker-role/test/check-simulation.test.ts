import { runSimulation } from "@cloud-copilot/iam-simulate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkInvokePolicy,
  checkTrustPolicy,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  type TrustExpectations,
} from "../src/index.js";
import { ENV_ID } from "./fixtures.js";
import { assumeDecision, type Caller, invokeDecision } from "./simulate.js";

// A differential test of the checker against the IAM simulator over generated policies: whenever
// the simulator lets an unintended caller in, the checker must not pass the policy. Policies are
// built from parts an attacker (or a hurried operator) would combine.
const RUNS = Number(process.env.FC_RUNS ?? 500);
const CUSTOMER = "111122223333";
const OTHER = "444455556666";
const ROLE = `arn:aws:iam::${CUSTOMER}:role/restate-invoker`;

interface Target {
  readonly name: string;
  readonly expectations: TrustExpectations;
  readonly intended: string;
  /** The external id the generator uses; unintended callers without it count only when it is expected. */
  readonly externalId: string;
  readonly expectsExternalId: boolean;
}

const TARGETS: Target[] = [
  {
    name: "self-hosted",
    expectations: { principalArn: `arn:aws:iam::${CUSTOMER}:role/restate-server`, externalId: "restate-prod" },
    intended: `arn:aws:iam::${CUSTOMER}:role/restate-server`,
    externalId: "restate-prod",
    expectsExternalId: true,
  },
  {
    name: "self-hosted without external id",
    expectations: { principalArn: `arn:aws:iam::${CUSTOMER}:role/restate-server` },
    intended: `arn:aws:iam::${CUSTOMER}:role/restate-server`,
    externalId: "restate-prod",
    expectsExternalId: false,
  },
  {
    name: "Restate Cloud",
    expectations: { environmentId: ENV_ID },
    intended: RESTATE_CLOUD_PRINCIPAL_ARN,
    externalId: ENV_ID,
    expectsExternalId: true,
  },
];

function trustStatement(target: Target) {
  const account = target.intended.split(":")[4] as string;
  const principals = fc.subarray(
    [
      target.intended,
      `arn:aws:iam::${account}:root`,
      account,
      `arn:aws:iam::${account}:role/SomeoneElse`,
      `arn:aws:iam::${OTHER}:root`,
      "*",
    ],
    { minLength: 1, maxLength: 3 },
  );
  // Biased towards the right answer, so that passing policies are generated as well as broken ones.
  const principal = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ Principal: { AWS: target.intended } }) },
    { weight: 3, arbitrary: fc.constant({ Principal: { AWS: `arn:aws:iam::${account}:root` } }) },
    { weight: 4, arbitrary: principals.map((AWS) => ({ Principal: { AWS } })) },
    { weight: 1, arbitrary: fc.constantFrom({ Principal: "*" }, { Principal: { AWS: ["*"] } }) },
    { weight: 1, arbitrary: principals.map((AWS) => ({ NotPrincipal: { AWS } })) },
  );
  const actions = fc.oneof(
    { weight: 4, arbitrary: fc.constant(["sts:AssumeRole", "sts:TagSession"]) },
    { weight: 2, arbitrary: fc.constant(["sts:AssumeRole"]) },
    {
      weight: 4,
      arbitrary: fc.subarray(
        [
          "sts:AssumeRole",
          "sts:TagSession",
          "sts:*",
          "sts:AssumeRole*",
          "*",
          "sts:Assume?ole",
          "sts:SetSourceIdentity",
          "STS:assumerole",
          "sts:*Role",
        ],
        { minLength: 1, maxLength: 2 },
      ),
    },
  );
  const randomPrincipalArn = fc.record({
    operator: fc.constantFrom(
      "StringEquals",
      "ArnEquals",
      "ArnLike",
      "StringLike",
      "ForAllValues:StringEquals",
      "ForAnyValue:StringEquals",
      "StringEqualsIfExists",
      "StringNotEquals",
      "ArnNotEquals",
      "stringequals",
      "Null",
    ),
    value: fc.constantFrom(
      target.intended,
      `arn:aws:iam::${account}:role/SomeoneElse`,
      `arn:aws:iam::${account}:role/*`,
      "*",
      "${aws:PrincipalArn}",
    ),
  });
  const principalArnCondition = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constant({ operator: "StringEquals", key: "aws:PrincipalArn", value: target.intended }),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(randomPrincipalArn, fc.constantFrom("aws:PrincipalArn", "AWS:principalarn"))
        .map(([condition, key]) => ({ ...condition, key })),
    },
  );
  const randomExternalId = fc.record({
    operator: fc.constantFrom(
      "StringEquals",
      "StringLike",
      "StringEqualsIgnoreCase",
      "StringEqualsIfExists",
      "ForAllValues:StringEquals",
      "ForAnyValue:StringEquals",
      "StringNotEquals",
      "StringNotLike",
      "stringEquals",
      "Null",
    ),
    value: fc.constantFrom(target.externalId, target.externalId.toUpperCase(), "*", "other", "${aws:PrincipalAccount}"),
  });
  const externalIdCondition = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constant({ operator: "StringEquals", key: "sts:ExternalId", value: target.externalId }),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(randomExternalId, fc.constantFrom("sts:ExternalId", "STS:EXTERNALID"))
        .map(([condition, key]) => ({ ...condition, key })),
    },
  );
  return fc
    .record({
      effect: fc.constantFrom("Allow", "Allow", "Allow", "Allow", "Deny"),
      principal,
      actions,
      principalArn: fc.option(principalArnCondition, { freq: 3 }),
      externalId: fc.option(externalIdCondition, { freq: 6 }),
    })
    .map(({ effect, principal, actions, principalArn, externalId }) => {
      const condition: Record<string, Record<string, string>> = {};
      const put = (operator: string, key: string, value: string) => {
        condition[operator] = { ...condition[operator], [key]: value };
      };
      // IAM reads condition keys case-insensitively; so must the checker.
      if (principalArn) put(principalArn.operator, principalArn.key, principalArn.value);
      if (externalId) put(externalId.operator, externalId.key, externalId.value);
      return {
        Effect: effect,
        ...principal,
        Action: actions,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
    });
}

async function trustViolations(target: Target, policy: unknown): Promise<string[]> {
  const account = target.intended.split(":")[4] as string;
  const unintended: [string, Caller][] = [
    [
      "another role of the account",
      { roleArn: `arn:aws:iam::${account}:role/SomeoneElse`, externalId: target.externalId },
    ],
    ["a role in another account", { roleArn: `arn:aws:iam::${OTHER}:role/attacker`, externalId: target.externalId }],
    ["an anonymous caller", {}],
  ];
  if (target.expectsExternalId) {
    unintended.push(
      ["the intended principal without external id", { roleArn: target.intended }],
      ["the intended principal with another external id", { roleArn: target.intended, externalId: "other" }],
      [
        "the intended principal with an upper-cased one",
        { roleArn: target.intended, externalId: target.externalId.toUpperCase() },
      ],
    );
  }
  const violations: string[] = [];
  for (const [who, caller] of unintended) {
    if ((await assumeDecision(policy, ROLE, caller)) === "Allowed") violations.push(who);
  }
  return violations;
}

describe.each(TARGETS)("checkTrustPolicy vs the IAM simulator ($name)", (target) => {
  it("never passes a policy that lets an unintended caller assume the role", async () => {
    let passed = 0;
    let holes = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(trustStatement(target), { minLength: 1, maxLength: 2 }), async (statements) => {
        const policy = { Version: "2012-10-17", Statement: statements };
        const report = checkTrustPolicy(policy, target.expectations);
        const violations = await trustViolations(target, policy);
        if (violations.length > 0) holes++;
        if (!report.ok) return;
        passed++;
        expect(violations, JSON.stringify(policy)).toEqual([]);
        // What the checker credits really works: the intended caller gets in (unless a Deny says no).
        // Without an expected external id, which one the caller should send is not defined.
        if (target.expectsExternalId && !statements.some((statement) => statement.Effect === "Deny")) {
          const decision = await assumeDecision(policy, ROLE, {
            roleArn: target.intended,
            externalId: target.externalId,
          });
          expect(decision, JSON.stringify(policy)).toBe("Allowed");
        }
      }),
      { numRuns: RUNS },
    );
    // The generator must produce both kinds, or the property proves nothing.
    expect(holes, "generated policies with holes").toBeGreaterThan(0);
    expect(passed, "generated policies that pass").toBeGreaterThan(0);
  }, 300_000);
});

describe("checkTrustPolicy vs the IAM simulator: web identity federation", () => {
  it("the simulator lets a GitHub OIDC identity in through a statement without a sub condition; the checker fails it", async () => {
    const provider = `arn:aws:iam::${CUSTOMER}:oidc-provider/token.actions.githubusercontent.com`;
    const target = TARGETS[0] as Target;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: target.intended },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": target.externalId } },
        },
        { Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity" },
      ],
    };
    const result = await runSimulation(
      {
        request: {
          principal: provider,
          action: "sts:AssumeRoleWithWebIdentity",
          resource: { resource: ROLE, accountId: CUSTOMER },
          contextVariables: { "token.actions.githubusercontent.com:sub": "repo:attacker/repo:ref:refs/heads/main" },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      {},
    );
    expect(result.resultType, JSON.stringify(result)).not.toBe("error");
    if (result.resultType !== "error") expect(result.overallResult).toBe("Allowed");
    const report = checkTrustPolicy(policy, target.expectations);
    expect(report.ok).toBe(false);
    expect(report.findings.map((finding) => finding.code)).toContain("federated_trust");
  });
});

describe("checkInvokePolicy vs the IAM simulator", () => {
  const base = `arn:aws:lambda:us-east-1:${CUSTOMER}:function`;
  const RESOURCES = [
    `${base}:f`,
    `${base}:f:*`,
    `${base}:f:7`,
    `${base}:g`,
    `${base}:f*`,
    `${base}:*`,
    `arn:aws:lambda:*:*:function:*`,
    `arn:aws:lambda:us-east-1:${CUSTOMER}:*`,
    "arn:*",
    "*",
    `${base}:?`,
    `arn:aws:lambda:us-east-1:${OTHER}:function:f`,
  ];
  const ACTIONS = [
    "lambda:InvokeFunction",
    "lambda:invokefunction",
    "lambda:*",
    "lambda:Invoke*",
    "lambda:**",
    "*",
    "lambda:GetFunction",
    "lambda:InvokeFunctionUrl",
  ];
  const statement = fc.record({
    Effect: fc.constantFrom("Allow", "Allow", "Allow", "Deny"),
    Action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 2 }),
    Resource: fc.subarray(RESOURCES, { minLength: 1, maxLength: 3 }),
  });
  const requests: [string, string][] = [];
  for (const resource of [
    `${base}:f`,
    `${base}:f:7`,
    `${base}:f:live`,
    `${base}:f-admin`,
    `${base}:f-admin:1`,
    `${base}:g`,
    `${base}:h`,
    `arn:aws:lambda:eu-west-1:${CUSTOMER}:function:f`,
    `arn:aws:lambda:us-east-1:${OTHER}:function:f`,
  ]) {
    for (const action of ["lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:InvokeFunctionUrl"]) {
      requests.push([action, resource]);
    }
  }

  /** Whether an Allow statement names `resource` exactly (or as a version/alias of `name:*`). */
  const named = (statements: readonly { Effect: string; Resource: string[] }[], resource: string) =>
    statements.some(
      (s) =>
        s.Effect === "Allow" &&
        s.Resource.some(
          (r) =>
            r === resource ||
            (r.endsWith(":*") && resource.startsWith(r.slice(0, -1)) && !r.slice(0, -2).includes("*")),
        ),
    );

  it("never passes a policy that allows another action or a function it does not name", async () => {
    let passed = 0;
    let holes = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 3 }), async (statements) => {
        const policy = { Version: "2012-10-17", Statement: statements };
        const report = checkInvokePolicy(policy);
        const violations: string[] = [];
        for (const [action, resource] of requests) {
          const allowed = (await invokeDecision(policy, ROLE, action, resource)) === "Allowed";
          if (allowed && (action !== "lambda:InvokeFunction" || !named(statements, resource))) {
            violations.push(`${action} ${resource}`);
          }
        }
        if (violations.length > 0) holes++;
        if (!report.ok) return;
        passed++;
        expect(violations, JSON.stringify(policy)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    expect(holes).toBeGreaterThan(0);
    expect(passed).toBeGreaterThan(0);
  }, 300_000);
});
