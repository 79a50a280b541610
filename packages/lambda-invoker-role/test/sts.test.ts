import type { STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { verifyAssumeRole, whoAmI } from "../src/sts.js";
import { explainStsError, principalOfCaller } from "../src/sts-explain.js";

describe("principalOfCaller", () => {
  it("resolves sessions to roles and keeps other ARNs", () => {
    expect(principalOfCaller("arn:aws-cn:sts::123456789012:assumed-role/restate-task/1a2b")).toEqual({
      principalArn: "arn:aws-cn:iam::123456789012:role/restate-task",
      kind: "role",
      pathUnknown: true,
    });
    expect(principalOfCaller("arn:aws:iam::123456789012:user/ops")).toMatchObject({ kind: "user", pathUnknown: false });
    expect(principalOfCaller("arn:aws:iam::123456789012:root").kind).toBe("root");
    expect(principalOfCaller("arn:aws:sts::123456789012:federated-user/bob").kind).toBe("federated-user");
  });
});

describe("explainStsError", () => {
  const named = (name: string, message = "m") => Object.assign(new Error(message), { name });

  it("explains AWS errors in plain words", () => {
    const role = "arn:aws:iam::123456789012:role/r";
    expect(explainStsError(named("AccessDenied"), role).message).toMatch(
      /trust policy does not allow this caller with this external id/,
    );
    expect(explainStsError(named("ExpiredToken"), role).message).toMatch(/expired/);
    expect(explainStsError(named("CredentialsProviderError"), role).message).toMatch(/no AWS credentials/);
    expect(explainStsError(named("Weird", "details"), role)).toEqual({
      errorName: "Weird",
      message: "STS failed with Weird: details",
    });
    expect(explainStsError(Object.assign(new Error("x"), { code: "ENOTFOUND" }), role).errorName).toBe("ENOTFOUND");
  });

  it("names a missing region instead of repeating the SDK's bare message", async () => {
    const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    // The real SDK's failure, with no region anywhere it looks (environment, shared config file).
    const saved = { ...process.env };
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"]) delete process.env[name];
    process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
    const error = await new STSClient({})
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e)
      .finally(() => {
        process.env = saved;
      });
    expect(explainStsError(error, "arn:aws:iam::123456789012:role/r").message).toBe(
      "no AWS region is configured (set AWS_REGION, or give a region)",
    );
  });

  it("passes no control or bidi character from an STS answer or the role ARN to the terminal", () => {
    // An endpoint (--endpoint-url) answers with whatever text it likes; verify prints it.
    const role = "arn:aws:iam::123456789012:role/r\u009b2J";
    for (const error of [named("Weird\u202e", "\u001b]0;owned\u0007\u009b31m"), named("AccessDenied")]) {
      const explained = explainStsError(error, role);
      expect(`${explained.errorName} ${explained.message}`).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    }
  });
});

describe("whoAmI", () => {
  it("refuses an identity with control or bidi characters instead of handing it to a terminal", async () => {
    // A stand-in for one answer of an endpoint the caller pointed at (the real STS path runs against moto).
    for (const Arn of ["arn:aws:iam::123456789012:user/ops\u009b31m", "arn:aws:iam::123456789012:user/\u202eops"]) {
      const client = { send: async () => ({ Arn, Account: "123456789012" }), destroy() {} } as unknown as STSClient;
      await expect(whoAmI({ client })).rejects.toMatchObject({
        code: "sts_failed",
        message: expect.not.stringMatching(/[\p{Cc}\p{Cf}]/u),
      });
    }
  });

  it("verify shows the assumed role's ARN as visible text", async () => {
    const Arn = "arn:aws:sts::123456789012:assumed-role/r/\u001b[2Js";
    const client = { send: async () => ({ AssumedRoleUser: { Arn } }), destroy() {} } as unknown as STSClient;
    const result = await verifyAssumeRole({ client, roleArn: "arn:aws:iam::123456789012:role/r" });
    expect(result).toMatchObject({ ok: true, assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/r/\\u001b[2Js" });
  });
});
