import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertAccountId,
  assertIamName,
  assertIamPath,
  parseArn,
  parseFunctionArn,
  parsePrincipalArn,
  partitionOfRegion,
} from "../src/arn.js";
import { InvokerRoleError, invokePolicy } from "../src/index.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvokerRoleError);
    return (error as InvokerRoleError).code;
  }
}

describe("parseFunctionArn", () => {
  it("parses unqualified, version, $LATEST and alias ARNs", () => {
    const fn = parseFunctionArn("arn:aws:lambda:eu-central-1:123456789012:function:greeter");
    expect(fn).toMatchObject({
      partition: "aws",
      region: "eu-central-1",
      accountId: "123456789012",
      functionName: "greeter",
    });
    expect(fn.qualifier).toBeUndefined();
    expect(parseFunctionArn("arn:aws:lambda:eu-central-1:123456789012:function:greeter:7").qualifier).toBe("7");
    expect(parseFunctionArn("arn:aws:lambda:eu-central-1:123456789012:function:greeter:$LATEST").qualifier).toBe(
      "$LATEST",
    );
    const alias = parseFunctionArn("arn:aws-cn:lambda:cn-northwest-1:123456789012:function:my_fn-1:live-2");
    expect(alias).toMatchObject({
      partition: "aws-cn",
      qualifier: "live-2",
      unqualifiedArn: "arn:aws-cn:lambda:cn-northwest-1:123456789012:function:my_fn-1",
    });
    expect(parseFunctionArn("arn:aws-us-gov:lambda:us-gov-east-1:123456789012:function:f").partition).toBe(
      "aws-us-gov",
    );
  });

  it.each([
    ["not-an-arn", "invalid_arn"],
    ["arn:aws:lambda:us-east-1:123456789012:function", "invalid_arn"],
    ["arn:aws:lambda:us-east-1:123456789012:layer:x", "invalid_arn"],
    ["arn:aws:s3:::bucket", "invalid_arn"],
    ["arn:azure:lambda:us-east-1:123456789012:function:f", "invalid_partition"],
    ["arn:aws:lambda:cn-north-1:123456789012:function:f", "partition_mismatch"],
    ["arn:aws-cn:lambda:us-east-1:123456789012:function:f", "partition_mismatch"],
    ["arn:aws:lambda:us-gov-west-1:123456789012:function:f", "partition_mismatch"],
    ["arn:aws:lambda:useast1:123456789012:function:f", "invalid_arn"],
    ["arn:aws:lambda:us-isob-east-1:123456789012:function:f", "invalid_arn"],
    ["arn:aws-iso:lambda:us-iso-east-1:123456789012:function:f", "invalid_partition"],
    ["arn:aws:lambda:us-east-1:12345678901:function:f", "invalid_account_id"],
    ["arn:aws:lambda:us-east-1:1234567890123:function:f", "invalid_account_id"],
    ["arn:aws:lambda:us-east-1:123456789012:function:", "invalid_function_name"],
    ["arn:aws:lambda:us-east-1:123456789012:function:has.dot", "invalid_function_name"],
    [`arn:aws:lambda:us-east-1:123456789012:function:${"a".repeat(65)}`, "invalid_function_name"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:", "invalid_qualifier"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:$latest", "invalid_qualifier"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:0", "invalid_qualifier"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:a.b", "invalid_qualifier"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:1:2", "invalid_arn"],
    ["arn:aws:lambda:us-east-1:123456789012:function:*", "invalid_arn"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f:*", "invalid_arn"],
    ["arn:aws:lambda:us-east-1:123456789012:function:f ", "invalid_arn"],
  ])("refuses %s (%s)", (arn, code) => {
    expect(codeOf(() => parseFunctionArn(arn))).toBe(code);
  });

  it("says what was wrong", () => {
    expect(() => parseFunctionArn("arn:aws:lambda:us-east-1:123:function:f")).toThrow(/12 digits, got "123"/);
    expect(() => parseFunctionArn(42)).toThrow(/expected an ARN, got a number/);
  });
});

describe("parsePrincipalArn", () => {
  it("accepts roles (with paths) and users", () => {
    expect(parsePrincipalArn("arn:aws:iam::123456789012:role/ecs/restate-task")).toMatchObject({
      kind: "role",
      name: "ecs/restate-task",
    });
    expect(parsePrincipalArn("arn:aws-us-gov:iam::123456789012:user/ops")).toMatchObject({
      kind: "user",
      partition: "aws-us-gov",
    });
  });

  it("refuses sessions (with the role to use instead), roots, other services and regions", () => {
    expect(() => parsePrincipalArn("arn:aws:sts::123456789012:assumed-role/restate-task/abc")).toThrow(
      /arn:aws:iam::123456789012:role\/restate-task/,
    );
    for (const arn of [
      "arn:aws:iam::123456789012:root",
      "arn:aws:iam::123456789012:group/devs",
      "arn:aws:lambda:us-east-1:123456789012:function:f",
      "arn:aws:iam::123456789012:role/",
      "arn:aws:iam::123456789012:role/a//b",
      "arn:aws:iam::123456789012:role/bad name",
    ]) {
      expect(
        codeOf(() => parsePrincipalArn(arn)),
        arn,
      ).toMatch(/invalid_principal|invalid_arn/);
    }
    expect(codeOf(() => parsePrincipalArn("arn:aws:iam:us-east-1:123456789012:role/x"))).toBe("invalid_arn");
    expect(codeOf(() => parsePrincipalArn("arn:aws:iam::12345678901x:role/x"))).toBe("invalid_account_id");
  });
});

describe("small validators", () => {
  it("account ids, names, paths, regions", () => {
    expect(() => assertAccountId("123456789012")).not.toThrow();
    expect(codeOf(() => assertAccountId("12345678901a"))).toBe("invalid_account_id");
    expect(() => assertIamName("restate+invoker=,.@_-1")).not.toThrow();
    expect(codeOf(() => assertIamName("a".repeat(65)))).toBe("invalid_role_name");
    expect(codeOf(() => assertIamName(""))).toBe("invalid_role_name");
    expect(() => assertIamPath("/")).not.toThrow();
    expect(() => assertIamPath("/a/b-c/")).not.toThrow();
    for (const path of ["", "a/", "/a", "//", "/a//b/", "/a b/", `/${"a".repeat(511)}/`]) {
      expect(
        codeOf(() => assertIamPath(path)),
        path,
      ).toBe("invalid_role_path");
    }
    expect(partitionOfRegion("cn-north-1")).toBe("aws-cn");
    expect(partitionOfRegion("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOfRegion("ap-southeast-5")).toBe("aws");
    expect(parseArn("arn:aws:iam::123456789012:role/a:b").resource).toBe("role/a:b");
  });
});

describe("property: no invalid input yields a policy", () => {
  const arb = {
    partition: fc.constantFrom("aws", "aws-cn", "aws-us-gov", "aws-iso", "azure", "AWS", ""),
    region: fc.constantFrom("us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1", "useast1", "", "US-EAST-1"),
    account: fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string({ maxLength: 14 })),
    name: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/), fc.string({ maxLength: 70 })),
    qualifier: fc.option(
      fc.oneof(fc.constantFrom("$LATEST", "1", "42", "live", "0", "$latest", "1.0"), fc.string({ maxLength: 8 })),
    ),
  };

  // An independent statement of the rules, written differently from the implementation.
  function valid(partition: string, region: string, account: string, name: string, qualifier: string | null): boolean {
    const regionPartition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    if (!["us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1"].includes(region)) return false;
    if (partition !== regionPartition) return false;
    if (account.length !== 12 || [...account].some((c) => c < "0" || c > "9")) return false;
    if (name.length < 1 || name.length > 64 || [...name].some((c) => !/[a-zA-Z0-9_-]/.test(c))) return false;
    if (qualifier === null) return true;
    if (qualifier === "$LATEST") return true;
    if (/^\d+$/.test(qualifier)) return qualifier.length <= 16 && qualifier[0] !== "0";
    return qualifier.length >= 1 && qualifier.length <= 128 && [...qualifier].every((c) => /[a-zA-Z0-9_-]/.test(c));
  }

  it("function ARNs: invokePolicy succeeds exactly for valid ARNs", () => {
    fc.assert(
      fc.property(
        arb.partition,
        arb.region,
        arb.account,
        arb.name,
        arb.qualifier,
        (partition, region, account, name, qualifier) => {
          const arn = `arn:${partition}:lambda:${region}:${account}:function:${name}${qualifier === null ? "" : `:${qualifier}`}`;
          const expected = valid(partition, region, account, name, qualifier);
          let produced: unknown;
          try {
            produced = invokePolicy({ functionArns: [arn] });
          } catch (error) {
            expect(error).toBeInstanceOf(InvokerRoleError);
          }
          expect(produced !== undefined, arn).toBe(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("arbitrary strings never produce a policy unless they parse as a function ARN", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        let ok = false;
        try {
          invokePolicy({ functionArns: [text] });
          ok = true;
        } catch (error) {
          expect(error).toBeInstanceOf(InvokerRoleError);
        }
        expect(ok).toBe(
          /^arn:aws(-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]+)?$/.test(text) && ok,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
