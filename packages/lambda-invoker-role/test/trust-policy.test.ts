import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvokerRoleError,
  invokerRole,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
  trustPolicyInfo,
} from "../src/index.js";
import { ENV_ID } from "./fixtures.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const FN = "arn:aws:lambda:us-east-1:123456789012:function:greeter";

describe("restateCloudTrustPolicy", () => {
  it("binds Restate Cloud's role and the environment id, in stable order", () => {
    const trust = restateCloudTrustPolicy({ environmentId: ENV_ID });
    expect(trustPolicyInfo(trust)).toEqual({
      kind: "restate-cloud",
      partition: "aws",
      principalArn: RESTATE_CLOUD_PRINCIPAL_ARN,
      externalId: ENV_ID,
    });
    expect(trust.Statement.map((s) => [s.Sid, s.Action])).toEqual([
      ["RestateCloudAssumeRole", "sts:AssumeRole"],
      ["RestateCloudTagSession", "sts:TagSession"],
    ]);
    expect(trust.Statement[0]!.Condition).toEqual({
      StringEquals: { "aws:PrincipalArn": RESTATE_CLOUD_PRINCIPAL_ARN, "sts:ExternalId": ENV_ID },
    });
  });

  it("is a plain, frozen policy document: JSON holds the policy and nothing else", () => {
    const trust = restateCloudTrustPolicy({ environmentId: ENV_ID });
    expect(Object.keys(trust)).toEqual(["Version", "Statement"]);
    expect(JSON.parse(JSON.stringify(trust))).toEqual({ Version: "2012-10-17", Statement: trust.Statement });
    expect(Object.isFrozen(trust.Statement[0]!.Condition!.StringEquals)).toBe(true);
    expect(() => trustPolicyInfo(JSON.parse(JSON.stringify(trust)))).toThrow(
      expect.objectContaining({ code: "invalid_policy" }),
    );
  });

  it.each([["env-abc"], ["ENV_abc"], ["env_ABC"], ["env_"], ["env_ab-c"], [" env_abc"], ["abc"], [""]])(
    "refuses environment id %j",
    (environmentId) => {
      expect(() => restateCloudTrustPolicy({ environmentId })).toThrow(
        expect.objectContaining({ code: "invalid_environment_id" }),
      );
    },
  );

  it("property: only env_ + lowercase alphanumerics yields a policy", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^env_[a-z0-9]{1,30}$/)),
        (environmentId) => {
          const valid = /^env_[a-z0-9]+$/.test(environmentId);
          let produced = false;
          try {
            restateCloudTrustPolicy({ environmentId });
            produced = true;
          } catch (error) {
            expect((error as InvokerRoleError).code).toBe("invalid_environment_id");
          }
          expect(produced).toBe(valid);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("selfHostedTrustPolicy", () => {
  it("trusts exactly the principal, conditioned on the external id when given", () => {
    const principalArn = "arn:aws:iam::123456789012:role/restate";
    expect(selfHostedTrustPolicy({ principalArn }).Statement).toEqual([
      { Sid: "RestateServerAssumeRole", Effect: "Allow", Principal: { AWS: principalArn }, Action: "sts:AssumeRole" },
    ]);
    expect(selfHostedTrustPolicy({ principalArn, externalId: "tenant-1" }).Statement[0]!.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "tenant-1" },
    });
    expect(
      trustPolicyInfo(selfHostedTrustPolicy({ principalArn: "arn:aws-cn:iam::123456789012:role/r" })).partition,
    ).toBe("aws-cn");
  });

  it("property: external ids follow STS's rules", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (externalId) => {
        const valid = /^[A-Za-z0-9_+=,.@:/-]{2,1224}$/.test(externalId);
        let produced = false;
        try {
          selfHostedTrustPolicy({ principalArn: "arn:aws:iam::123456789012:role/restate", externalId });
          produced = true;
        } catch (error) {
          expect((error as InvokerRoleError).code).toBe("invalid_external_id");
        }
        expect(produced).toBe(valid);
      }),
      { numRuns: RUNS },
    );
  });

  // IAM: the name is 1-64 of [\w+=,.@-]; path segments are printable ASCII. Wildcards (* ?) are
  // refused on purpose: a trust policy must name one principal.
  const validPathAndName = (pathAndName: string) => {
    const segments = pathAndName.split("/");
    const name = segments.pop()!;
    return (
      /^[\w+=,.@-]{1,64}$/.test(name) &&
      segments.every((segment) => /^[\x21-\x7e]+$/.test(segment) && !/[*?]/.test(segment))
    );
  };

  it("property: principal ARNs with invalid pieces never yield a policy", () => {
    const piece = fc.oneof(fc.constantFrom("aws", "aws-cn", "aws-us-gov", "azure"), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(
        piece,
        fc.constantFrom("iam", "sts", "lambda"),
        fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string({ maxLength: 13 })),
        fc.constantFrom("role/", "user/", "group/", "", "role/p/"),
        fc.oneof(fc.stringMatching(/^[\w+=,.@-]{1,64}$/), fc.string({ maxLength: 66 })),
        (partition, service, account, kind, name) => {
          const arn = `arn:${partition}:${service}::${account}:${kind}${name}`;
          const valid =
            ["aws", "aws-cn", "aws-us-gov"].includes(partition) &&
            service === "iam" &&
            /^\d{12}$/.test(account) &&
            ["role/", "user/", "role/p/"].includes(kind) &&
            validPathAndName(name);
          let produced = false;
          try {
            selfHostedTrustPolicy({ principalArn: arn });
            produced = true;
          } catch (error) {
            expect(error).toBeInstanceOf(InvokerRoleError);
          }
          expect(produced, arn).toBe(valid);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("invokerRole", () => {
  const cloud = restateCloudTrustPolicy({ environmentId: ENV_ID });

  it("defaults name, path and session duration", () => {
    const spec = invokerRole({ trustPolicy: cloud, functionArns: [FN, FN] });
    expect(spec).toMatchObject({
      roleName: "restate-invoker",
      path: "/",
      maxSessionDuration: 3600,
      tags: [],
      policyName: "restate-invoke",
    });
    expect(spec.invokePolicy.Statement[0]!.Resource).toEqual([FN, `${FN}:*`]);
  });

  it("refuses Restate Cloud for functions outside the aws partition, explaining why", () => {
    for (const arn of [
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
      "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f",
    ]) {
      expect(() => invokerRole({ trustPolicy: cloud, functionArns: [arn] })).toThrow(
        /Restate Cloud runs only in the aws partition/,
      );
    }
  });

  it("refuses a self-hosted principal and functions in different partitions, and mixed partitions", () => {
    const cn = selfHostedTrustPolicy({ principalArn: "arn:aws-cn:iam::123456789012:role/r" });
    expect(() => invokerRole({ trustPolicy: cn, functionArns: [FN] })).toThrow(
      expect.objectContaining({ code: "partition_mismatch" }),
    );
    expect(() =>
      invokerRole({ trustPolicy: cloud, functionArns: [FN, "arn:aws-cn:lambda:cn-north-1:123456789012:function:f"] }),
    ).toThrow(expect.objectContaining({ code: "partition_mismatch" }));
  });

  it.each([
    [{ roleName: "has space" }, "invalid_role_name"],
    [{ path: "no-slash" }, "invalid_role_path"],
    [{ maxSessionDuration: 3599 }, "invalid_max_session_duration"],
    [{ maxSessionDuration: 43201 }, "invalid_max_session_duration"],
    [{ maxSessionDuration: 3600.5 }, "invalid_max_session_duration"],
    [{ tags: { "aws:x": "y" } }, "invalid_tags"],
    [{ tags: { k: "a".repeat(257) } }, "invalid_tags"],
    [{ tags: { "": "y" } }, "invalid_tags"],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }, "invalid_tags"],
    [{ functionArns: [] }, "invalid_function_list"],
    [{ trustPolicy: {} }, "invalid_policy"],
  ])("refuses %j with %s", (override, code) => {
    expect(() => invokerRole({ trustPolicy: cloud, functionArns: [FN], ...(override as object) })).toThrow(
      expect.objectContaining({ code }),
    );
  });
});
