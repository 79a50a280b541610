import { describe, expect, it } from "vitest";
import {
  checkInvokePolicy,
  checkTrustPolicy,
  formatReport,
  invokePolicy,
  readPolicyDocument,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
} from "../src/index.js";
import { ENV_ID } from "./fixtures.js";

const PRINCIPAL = "arn:aws:iam::123456789012:role/restate-server";
const codes = (report: { findings: readonly { code: string }[] }) => report.findings.map((finding) => finding.code);

describe("readPolicyDocument", () => {
  const doc = restateCloudTrustPolicy({ environmentId: ENV_ID });

  it("accepts a document, its JSON, the URL-encoded API form and `aws iam get-role` output", () => {
    const encoded = encodeURIComponent(JSON.stringify(doc));
    const inputs = [
      doc,
      JSON.stringify(doc),
      encoded,
      { Role: { RoleName: "x", AssumeRolePolicyDocument: doc } },
      JSON.stringify({ Role: { AssumeRolePolicyDocument: doc } }),
      { Role: { AssumeRolePolicyDocument: encoded } },
    ];
    for (const input of inputs) expect(readPolicyDocument(input)).toEqual(doc);
  });

  it("refuses what is not a policy", () => {
    for (const input of ["{", "[]", { Role: {} }, { Version: "2012-10-17" }, null, 7]) {
      expect(() => readPolicyDocument(input)).toThrow(expect.objectContaining({ code: "invalid_policy" }));
    }
  });
});

describe("checkTrustPolicy", () => {
  it("passes our policies for the matching expectation and fails them for another", () => {
    const cloud = restateCloudTrustPolicy({ environmentId: ENV_ID });
    expect(checkTrustPolicy(cloud, { environmentId: ENV_ID }).ok).toBe(true);
    const other = checkTrustPolicy(cloud, { environmentId: "env_other" });
    expect(other.ok).toBe(false);
    expect(codes(other)).toContain("external_id_mismatch");
    const self = selfHostedTrustPolicy({ principalArn: PRINCIPAL, externalId: "abc" });
    expect(checkTrustPolicy(self, { principalArn: PRINCIPAL, externalId: "abc" })).toEqual({ ok: true, findings: [] });
    const wrongPrincipal = checkTrustPolicy(self, { principalArn: "arn:aws:iam::123456789012:role/other" });
    expect(codes(wrongPrincipal)).toEqual(
      expect.arrayContaining(["unexpected_principal", "intended_principal_not_allowed"]),
    );
  });

  it("warns (only) when a self-hosted policy has no external id and none is expected", () => {
    const report = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), {
      principalArn: PRINCIPAL,
    });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.severity, f.code])).toEqual([
      ["warning", "unconditioned_assume_role"],
      ["warning", "missing_external_id"],
    ]);
    const expected = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), {
      principalArn: PRINCIPAL,
      externalId: "abc",
    });
    expect(expected.ok).toBe(false);
    expect(expected.findings.find((f) => f.code === "missing_external_id")?.severity).toBe("error");
  });

  it("flags extra principals, service principals, NotPrincipal and broad actions; notes Deny", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Mixed",
          Effect: "Allow",
          Principal: { AWS: [PRINCIPAL, "arn:aws:iam::999999999999:role/x"], Service: "lambda.amazonaws.com" },
          Action: "sts:*",
          Condition: { StringEquals: { "sts:ExternalId": "abc" } },
        },
        { Effect: "Allow", NotPrincipal: { AWS: PRINCIPAL }, Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" },
      ],
    };
    const report = checkTrustPolicy(policy, { principalArn: PRINCIPAL, externalId: "abc" });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.severity, f.code, f.statement])).toEqual([
      ["warning", "broad_action", "Mixed"],
      ["error", "unexpected_principal", "Mixed"],
      ["error", "unexpected_principal", "Mixed"],
      ["error", "negated_element", "#1"],
      ["info", "deny_statement", "#2"],
    ]);
  });

  it("requires TagSession for Restate Cloud and accepts the role ARN as a direct principal", () => {
    const direct = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::654654156625:role/RestateCloud" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "sts:ExternalId": ENV_ID } },
        },
      ],
    };
    expect(checkTrustPolicy(direct, { environmentId: ENV_ID })).toEqual({ ok: true, findings: [] });
    const noTag = { ...direct, Statement: [{ ...direct.Statement[0], Action: "sts:AssumeRole" }] };
    expect(codes(checkTrustPolicy(noTag, { environmentId: ENV_ID }))).toEqual(["tag_session_missing"]);
  });

  it("accepts aws:PrincipalArn pinned with ArnEquals, refuses it pinned to a pattern", () => {
    const statement = (operator: string, value: string) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::654654156625:root" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { [operator]: { "aws:PrincipalArn": value }, StringEquals: { "sts:ExternalId": ENV_ID } },
        },
      ],
    });
    expect(
      checkTrustPolicy(statement("ArnEquals", "arn:aws:iam::654654156625:role/RestateCloud"), { environmentId: ENV_ID })
        .ok,
    ).toBe(true);
    const pattern = checkTrustPolicy(statement("ArnLike", "arn:aws:iam::654654156625:role/*"), {
      environmentId: ENV_ID,
    });
    expect(pattern.ok).toBe(false);
    expect(codes(pattern)).toEqual(expect.arrayContaining(["principal_not_bound", "unexpected_principal"]));
  });

  it("validates its expectations", () => {
    const doc = selfHostedTrustPolicy({ principalArn: PRINCIPAL });
    expect(() => checkTrustPolicy(doc, { environmentId: "nope" })).toThrow(
      expect.objectContaining({ code: "invalid_environment_id" }),
    );
    expect(() => checkTrustPolicy(doc, { principalArn: "arn:aws:iam::1:role/x" })).toThrow(
      expect.objectContaining({ code: "invalid_account_id" }),
    );
  });
});

describe("checkInvokePolicy", () => {
  it("passes our invoke policy", () => {
    const doc = invokePolicy({ functionArns: ["arn:aws:lambda:us-east-1:123456789012:function:f"] });
    expect(checkInvokePolicy(doc)).toEqual({ ok: true, findings: [] });
  });

  it("flags lambda:*, *, Resource *, wildcard names and NotResource", () => {
    const report = checkInvokePolicy({
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Allow", Action: ["lambda:*", "*"], Resource: "*" },
        {
          Sid: "B",
          Effect: "Allow",
          Action: "lambda:Invoke*",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:f*",
        },
        {
          Sid: "C",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          NotResource: "arn:aws:lambda:us-east-1:123456789012:function:x",
        },
        {
          Sid: "D",
          Effect: "Allow",
          Action: "lambda:GetFunction",
          Resource: "arn:aws:lambda:*:123456789012:function:f",
        },
      ],
    });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.severity, f.code, f.statement])).toEqual([
      ["error", "broad_action", "A"],
      ["error", "broad_action", "A"],
      ["error", "broad_resource", "A"],
      ["warning", "broad_action", "B"],
      ["warning", "wildcard_function", "B"],
      ["error", "negated_element", "C"],
      ["warning", "broad_action", "D"],
      ["warning", "wildcard_function", "D"],
    ]);
  });
});

describe("formatReport", () => {
  it("prints a table with a verdict", () => {
    const report = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), {
      principalArn: PRINCIPAL,
      externalId: "abc",
    });
    const text = formatReport(report);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEVERITY\s+CODE\s+STATEMENT\s+MESSAGE$/);
    expect(lines.at(-1)).toBe("FAILED: errors found");
    expect(text).toMatch(/error\s+missing_external_id\s+RestateServerAssumeRole\s+no sts:ExternalId/);
    expect(formatReport({ ok: true, findings: [] })).toBe("OK: no errors found\n");
  });
});
