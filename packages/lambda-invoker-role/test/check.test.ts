import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionMatches, readPolicyDocument } from "../src/check/document.js";
import {
  checkInvokePolicy,
  checkTrustPolicy,
  FINDING_CODES,
  formatReport,
  invokePolicy,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
} from "../src/index.js";
import { ENV_ID } from "./fixtures.js";

const PRINCIPAL = "arn:aws:iam::123456789012:role/restate-server";
const FN = "arn:aws:lambda:us-east-1:123456789012:function:f";
const codes = (report: { findings: readonly { code: string }[] }) => report.findings.map((finding) => finding.code);
const errors = (report: { findings: readonly { code: string; severity: string }[] }) =>
  report.findings.filter((finding) => finding.severity === "error").map((finding) => finding.code);
const trust = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const selfHosted = { principalArn: PRINCIPAL, externalId: "abc" } as const;

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

  it("refuses what is not a policy, and JSON that repeats a key", () => {
    const repeated = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny"}]}';
    for (const input of ["{", "[]", { Role: {} }, { Version: "2012-10-17" }, null, 7, "%7B%zz", repeated]) {
      expect(() => readPolicyDocument(input)).toThrow(expect.objectContaining({ code: "invalid_policy" }));
    }
    expect(() => readPolicyDocument(repeated)).toThrow(/repeats the key "Effect"/);
    // A document that also carries a `Role`: the check would read the clean one inside.
    const both = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] };
    expect(() => readPolicyDocument({ ...both, Role: { AssumeRolePolicyDocument: doc } })).toThrow(
      expect.objectContaining({ code: "invalid_policy" }),
    );
    // The same key in different objects, and a key-like string value, are fine.
    expect(readPolicyDocument('{"Statement":[{"Sid":"a"},{"Sid":"Sid"}]}')).toBeTruthy();
  });
});

describe("actionMatches", () => {
  const reference = (pattern: string, action: string) =>
    new RegExp(
      `^${pattern
        .toLowerCase()
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
      "s",
    ).test(action.toLowerCase());

  it("matches like IAM's case-insensitive * and ? (differential against a regex, on short inputs)", () => {
    const text = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."aAb:*?.$"), maxLength });
    fc.assert(
      fc.property(text(8), text(8), (pattern, action) => {
        expect(actionMatches(pattern, action)).toBe(reference(pattern, action));
      }),
      { numRuns: 2000 },
    );
  });

  it("takes time linear in the pattern: 40 wildcards before a letter are checked at once", () => {
    // A regex built from this pattern backtracks through C(54, 14) ≈ 10^12 splits of the action
    // name before it fails: a policy file of 41 characters held the check (and the CLI) forever.
    const policy = trust({ Effect: "Allow", Principal: { AWS: PRINCIPAL }, Action: `${"*".repeat(40)}x` });
    expect(errors(checkTrustPolicy(policy, selfHosted))).toContain("unsupported_action");
  });
});

describe("checkTrustPolicy", () => {
  it("passes our policies for the matching expectation and fails them for another", () => {
    const cloud = restateCloudTrustPolicy({ environmentId: ENV_ID });
    expect(checkTrustPolicy(cloud, { environmentId: ENV_ID })).toEqual({ ok: true, findings: [] });
    const other = checkTrustPolicy(cloud, { environmentId: "env_other" });
    expect(other.ok).toBe(false);
    expect(codes(other)).toContain("external_id_mismatch");
    const self = selfHostedTrustPolicy({ principalArn: PRINCIPAL, externalId: "abc" });
    expect(checkTrustPolicy(self, selfHosted)).toEqual({ ok: true, findings: [] });
    const wrongPrincipal = checkTrustPolicy(self, { principalArn: "arn:aws:iam::123456789012:role/other" });
    expect(codes(wrongPrincipal)).toEqual(
      expect.arrayContaining(["unexpected_principal", "intended_principal_not_allowed"]),
    );
  });

  it("warns (only) when a self-hosted policy has no external id and none is expected", () => {
    const report = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), { principalArn: PRINCIPAL });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.severity, f.code])).toEqual([
      ["warning", "unconditioned_assume_role"],
      ["warning", "missing_external_id"],
    ]);
    const expected = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), selfHosted);
    expect(expected.ok).toBe(false);
    expect(expected.findings.find((f) => f.code === "missing_external_id")?.severity).toBe("error");
  });

  it("flags extra principals, service principals, NotPrincipal and wildcard actions; notes Deny", () => {
    const policy = trust(
      {
        Sid: "Mixed",
        Effect: "Allow",
        Principal: { AWS: [PRINCIPAL, "arn:aws:iam::999999999999:role/x"], Service: "lambda.amazonaws.com" },
        Action: "sts:*",
        Condition: { StringEquals: { "sts:ExternalId": "abc" } },
      },
      { Effect: "Allow", NotPrincipal: { AWS: PRINCIPAL }, Action: "sts:AssumeRole" },
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" },
    );
    const report = checkTrustPolicy(policy, selfHosted);
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.severity, f.code, f.statement])).toEqual([
      ["error", "federated_trust", "Mixed"],
      ["error", "broad_action", "Mixed"],
      ["error", "unexpected_principal", "Mixed"],
      ["error", "unexpected_principal", "Mixed"],
      ["error", "negated_element", "#1"],
      ["info", "deny_statement", "#2"],
    ]);
  });

  it("fails on web identity and SAML federation, even with no sts:AssumeRole statement around it", () => {
    const github = {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
    };
    const saml = {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/corp" },
      Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
    };
    const ours = selfHostedTrustPolicy({ principalArn: PRINCIPAL, externalId: "abc" }).Statement[0];
    for (const extra of [github, saml, { ...github, Action: "sts:AssumeRoleWith*" }]) {
      const report = checkTrustPolicy(trust(ours, extra), selfHosted);
      expect(report.ok, JSON.stringify(extra.Action)).toBe(false);
      expect(errors(report)).toContain("federated_trust");
    }
  });

  it("fails on set operators, optional, case-insensitive, variable and pattern external ids", () => {
    const withExternalId = (condition: Record<string, unknown>) =>
      trust({ Effect: "Allow", Principal: { AWS: PRINCIPAL }, Action: "sts:AssumeRole", Condition: condition });
    const cases: [Record<string, unknown>, string][] = [
      [{ "ForAllValues:StringEquals": { "sts:ExternalId": "abc" } }, "external_id_optional"],
      [{ "ForAnyValue:StringEquals": { "sts:ExternalId": "abc" } }, "set_operator"],
      [{ StringEqualsIfExists: { "sts:ExternalId": "abc" } }, "external_id_optional"],
      [{ StringEqualsIgnoreCase: { "sts:ExternalId": "abc" } }, "external_id_case_insensitive"],
      [{ StringLike: { "sts:ExternalId": "a*" } }, "external_id_pattern"],
      [{ StringEquals: { "sts:ExternalId": "${aws:username}" } }, "policy_variable"],
      [{ StringNotEquals: { "sts:ExternalId": "x" } }, "external_id_pattern"],
      [{ StringEquals: { "STS:EXTERNALID": "abd" } }, "external_id_mismatch"],
      [{ StringEquals: { "sts:ExternalId": [{ nested: true }] } }, "malformed_statement"],
    ];
    for (const [condition, code] of cases) {
      const report = checkTrustPolicy(withExternalId(condition), selfHosted);
      expect(report.ok, JSON.stringify(condition)).toBe(false);
      expect(errors(report), JSON.stringify(condition)).toContain(code);
    }
    // Without an expected external id too: ForAllValues makes the condition pass when none is sent.
    const open = checkTrustPolicy(withExternalId({ "ForAllValues:StringEquals": { "sts:ExternalId": "abc" } }), {
      principalArn: PRINCIPAL,
    });
    expect(errors(open)).toContain("external_id_optional");
  });

  it("fails on actions and elements it does not analyse", () => {
    const base = {
      Effect: "Allow",
      Principal: { AWS: PRINCIPAL },
      Condition: { StringEquals: { "sts:ExternalId": "abc" } },
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"] }, "unsupported_action"],
      [{ ...base, Action: "*" }, "federated_trust"],
      [{ ...base, Action: "sts:Assume?ole" }, "broad_action"],
      [{ ...base, Action: "sts:AssumeRole", Resource: "*" }, "unsupported_element"],
      [{ ...base, Action: "sts:AssumeRole", Effect: "allow" }, "malformed_statement"],
      [{ ...base, Action: 42 }, "malformed_statement"],
      [{ ...base, Action: "sts:AssumeRole", Principal: { AWS: [PRINCIPAL, 999999999999] } }, "malformed_statement"],
      [{ ...base, Action: "sts:AssumeRole", Principal: { Aws: PRINCIPAL } }, "malformed_statement"],
      [{ ...base, Action: "sts:AssumeRole", Condition: "yes" }, "malformed_statement"],
    ];
    for (const [statement, code] of cases) {
      const report = checkTrustPolicy(trust(statement), selfHosted);
      expect(report.ok, JSON.stringify(statement)).toBe(false);
      expect(errors(report), JSON.stringify(statement)).toContain(code);
    }
    const document = { ...selfHostedTrustPolicy({ principalArn: PRINCIPAL, externalId: "abc" }) };
    expect(errors(checkTrustPolicy({ ...document, Extra: 1 }, selfHosted))).toContain("unsupported_element");
    expect(errors(checkTrustPolicy({ ...document, Version: "2020-01-01" }, selfHosted))).toContain("policy_version");
    const old = checkTrustPolicy({ Statement: document.Statement }, selfHosted);
    expect(old.ok).toBe(true);
    expect(codes(old)).toEqual(["policy_version"]);
  });

  it("fails a Condition whose keys or operators repeat in another case", () => {
    // The simulator ANDs both entries (so the intended principal is shut out too), IAM's choice is
    // not documented: the check used to credit the first entry and pass.
    const other = "arn:aws:iam::123456789012:role/someone-else";
    for (const condition of [
      { StringEquals: { "aws:PrincipalArn": PRINCIPAL, "AWS:PrincipalArn": other, "sts:ExternalId": "abc" } },
      {
        StringEquals: { "aws:PrincipalArn": PRINCIPAL, "sts:ExternalId": "abc" },
        stringEquals: { "aws:PrincipalArn": other },
      },
    ]) {
      const report = checkTrustPolicy(
        trust({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: condition }),
        selfHosted,
      );
      expect(errors(report), JSON.stringify(condition)).toContain("malformed_statement");
    }
  });

  it("does not credit aws:PrincipalArn bound by a set operator, a variable or a pattern", () => {
    const bound = (condition: Record<string, unknown>) =>
      trust({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::654654156625:root" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { ...condition, StringEquals: { "sts:ExternalId": ENV_ID } },
      });
    const cloud = { environmentId: ENV_ID };
    expect(
      checkTrustPolicy(
        bound({ ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::654654156625:role/RestateCloud" } }),
        cloud,
      ).ok,
    ).toBe(true);
    for (const condition of [
      { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::654654156625:role/*" } },
      { "ForAllValues:StringEquals": { "aws:PrincipalArn": "arn:aws:iam::654654156625:role/RestateCloud" } },
      { StringEquals: { "aws:PrincipalArn": "${aws:PrincipalArn}" } },
      { StringEqualsIfExists: { "aws:PrincipalArn": "arn:aws:iam::654654156625:role/RestateCloud" } },
    ]) {
      const report = checkTrustPolicy(bound(condition), cloud);
      expect(report.ok, JSON.stringify(condition)).toBe(false);
      expect(errors(report)).toEqual(expect.arrayContaining(["principal_not_bound"]));
    }
  });

  it("requires TagSession for Restate Cloud and accepts the role ARN as a direct principal", () => {
    const direct = trust({
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::654654156625:role/RestateCloud" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: { StringEquals: { "sts:ExternalId": ENV_ID } },
    });
    expect(checkTrustPolicy(direct, { environmentId: ENV_ID })).toEqual({ ok: true, findings: [] });
    const noTag = trust({ ...direct.Statement[0]!, Action: "sts:AssumeRole" });
    expect(codes(checkTrustPolicy(noTag, { environmentId: ENV_ID }))).toEqual(["tag_session_missing"]);
  });

  it("does not take the same account id in another partition for the intended account", () => {
    const policy = trust({
      Effect: "Allow",
      Principal: { AWS: "arn:aws-cn:iam::123456789012:root" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:PrincipalArn": PRINCIPAL, "sts:ExternalId": "abc" } },
    });
    expect(errors(checkTrustPolicy(policy, selfHosted))).toEqual(
      expect.arrayContaining(["unexpected_principal", "intended_principal_not_allowed"]),
    );
  });

  it("validates its expectations", () => {
    const doc = selfHostedTrustPolicy({ principalArn: PRINCIPAL });
    expect(() => checkTrustPolicy(doc, { environmentId: "nope" })).toThrow(
      expect.objectContaining({ code: "invalid_environment_id" }),
    );
    expect(() => checkTrustPolicy(doc, { principalArn: "arn:aws:iam::1:role/x" })).toThrow(
      expect.objectContaining({ code: "invalid_account_id" }),
    );
    // Both kinds at once: the check used Restate Cloud's and silently ignored the rest.
    for (const both of [
      { environmentId: ENV_ID, principalArn: PRINCIPAL },
      { environmentId: ENV_ID, externalId: "abc" },
    ]) {
      expect(() => checkTrustPolicy(doc, both as never)).toThrow(expect.objectContaining({ code: "invalid_option" }));
    }
    expect(() => checkTrustPolicy(doc, undefined as never)).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
  });
});

describe("checkInvokePolicy", () => {
  it("passes our invoke policy, qualified and unqualified", () => {
    expect(checkInvokePolicy(invokePolicy({ functionArns: [FN, `${FN}2:7`, `${FN}3:live`] }))).toEqual({
      ok: true,
      findings: [],
    });
  });

  it("fails on every wildcard, extra action, negation and unknown element", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ Action: ["lambda:*"], Resource: FN }, "broad_action"],
      [{ Action: "lambda:**", Resource: FN }, "broad_action"],
      [{ Action: "lambda:Invoke*", Resource: FN }, "broad_action"],
      [{ Action: "*", Resource: FN }, "broad_action"],
      [{ Action: "lambda:GetFunction", Resource: FN }, "unsupported_action"],
      [{ Action: "lambda:InvokeFunction", Resource: "*" }, "broad_resource"],
      [{ Action: "lambda:InvokeFunction", Resource: "arn:*" }, "wildcard_function"],
      [{ Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:*:*:function:*" }, "wildcard_function"],
      [
        { Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f*" },
        "wildcard_function",
      ],
      [
        { Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:?" },
        "wildcard_function",
      ],
      [{ Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:*" }, "wildcard_function"],
      [{ Action: "lambda:InvokeFunction", Resource: `${FN}:7:*` }, "wildcard_function"],
      [
        { Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:${aws:PrincipalAccount}:function:f" },
        "policy_variable",
      ],
      [{ Action: "lambda:InvokeFunction", Resource: "arn:aws:s3:::bucket" }, "unsupported_resource"],
      [{ Action: "lambda:InvokeFunction", NotResource: FN }, "negated_element"],
      [{ NotAction: "lambda:DeleteFunction", Resource: FN }, "negated_element"],
      [{ Action: "lambda:InvokeFunction", Resource: FN, Principal: "*" }, "unsupported_element"],
      [{ Action: "lambda:InvokeFunction" }, "malformed_statement"],
    ];
    for (const [statement, code] of cases) {
      const report = checkInvokePolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] });
      expect(report.ok, JSON.stringify(statement)).toBe(false);
      expect(errors(report), JSON.stringify(statement)).toContain(code);
    }
  });

  it("credits conditions (they only narrow a grant) and reports Deny statements", () => {
    const report = checkInvokePolicy({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: FN,
          Condition: { Bool: { "aws:SecureTransport": true } },
        },
        { Sid: "NoDelete", Effect: "Deny", Action: "lambda:*", Resource: "*" },
      ],
    });
    expect(report.findings.map((f) => [f.severity, f.code, f.statement])).toEqual([
      ["info", "deny_statement", "NoDelete"],
    ]);
    expect(report.ok).toBe(true);
  });
});

describe("formatReport", () => {
  it("prints a table with a verdict", () => {
    const report = checkTrustPolicy(selfHostedTrustPolicy({ principalArn: PRINCIPAL }), selfHosted);
    const text = formatReport(report);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEVERITY\s+CODE\s+STATEMENT\s+MESSAGE$/);
    expect(lines.at(-1)).toBe("FAILED: errors found");
    expect(text).toMatch(/error\s+missing_external_id\s+RestateServerAssumeRole\s+no sts:ExternalId/);
    expect(formatReport({ ok: true, findings: [] })).toBe("OK: no errors found\n");
  });

  it("shows no terminal control sequence from the policy", () => {
    const policy = trust({
      Sid: "\u001b[2J",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::999999999999:role/\u001b]0;owned\u0007\u009b31m" },
      Action: "sts:AssumeRole",
      Condition: {
        "\u001b[2JStringEqualsIfExists": { "sts:ExternalId": "abc" },
        "\u001b[1AStringLike": { "sts:ExternalId": "*" },
      },
    });
    const text = formatReport(checkTrustPolicy(policy, selfHosted));
    const controls = [...text].filter((char) => {
      const code = char.codePointAt(0) as number;
      return (code < 0x20 && char !== "\n") || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(text).toContain("#0");
  });

  it("formats a report of any size (a policy of 200,000 statements has as many findings)", () => {
    const finding = { severity: "error", code: "malformed_statement", statement: "#0", message: "m" } as const;
    const text = formatReport({ ok: false, findings: Array.from({ length: 200_000 }, () => finding) });
    expect(text.endsWith("\nFAILED: errors found\n")).toBe(true);
  });

  it("every finding code is listed once", () => {
    expect(new Set(FINDING_CODES).size).toBe(FINDING_CODES.length);
  });
});
