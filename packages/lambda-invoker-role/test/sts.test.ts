import { describe, expect, it } from "vitest";
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
});
