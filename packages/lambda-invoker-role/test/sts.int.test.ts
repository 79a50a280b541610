import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { freePort, type MotoServer, startMoto } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokerRole, selfHostedTrustPolicy } from "../src/index.js";
import { iamShape } from "../src/render-iam.js";
import { verifyAssumeRole, whoAmI } from "../src/sts.js";

// moto accepts any credentials and does NOT evaluate trust policies: these tests prove the STS calls,
// ARN handling and error reporting; whether a trust policy admits a caller is proven by
// simulation.test.ts with iam-simulate.
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
let moto: MotoServer;
let config: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
let roleArn: string;
let motoAccount: string;

beforeAll(async () => {
  moto = await startMoto();
  config = { region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials };
  const me = await whoAmI({ clientConfig: config });
  motoAccount = me.accountId;
  const spec = invokerRole({
    roleName: "restate-invoker",
    path: "/restate/",
    trustPolicy: selfHostedTrustPolicy({
      principalArn: `arn:aws:iam::${motoAccount}:role/restate-server`,
      externalId: "restate-prod",
    }),
    functionArns: [`arn:aws:lambda:us-east-1:${motoAccount}:function:greeter`],
    tags: { team: "payments" },
  });
  const shape = iamShape(spec);
  const iam = new IAMClient(config);
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: shape.RoleName,
        Path: shape.Path,
        MaxSessionDuration: shape.MaxSessionDuration,
        AssumeRolePolicyDocument: JSON.stringify(shape.AssumeRolePolicyDocument),
        Tags: [...shape.Tags],
      }),
    );
    roleArn = created.Role!.Arn!;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: shape.RoleName,
        PolicyName: shape.Policies[0]!.PolicyName,
        PolicyDocument: JSON.stringify(shape.Policies[0]!.PolicyDocument),
      }),
    );
    const stored = await iam.send(new GetRoleCommand({ RoleName: shape.RoleName }));
    const document = JSON.parse(decodeURIComponent(stored.Role!.AssumeRolePolicyDocument!));
    expect(document).toEqual(spec.trustPolicy);
  } finally {
    iam.destroy();
  }
});

afterAll(async () => {
  await moto?.stop();
});

describe("whoAmI against moto", () => {
  it("reports the caller and resolves an assumed-role session to its role", async () => {
    const me = await whoAmI({ clientConfig: config });
    expect(me.accountId).toMatch(/^\d{12}$/);
    expect(me.callerArn).toMatch(/^arn:aws:(iam|sts)::\d{12}:/);

    const sts = new STSClient(config);
    try {
      const assumed = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "probe", ExternalId: "restate-prod" }),
      );
      const creds = assumed.Credentials!;
      const session = new STSClient({
        ...config,
        credentials: {
          accessKeyId: creds.AccessKeyId!,
          secretAccessKey: creds.SecretAccessKey!,
          sessionToken: creds.SessionToken!,
        },
      });
      try {
        const asRole = await whoAmI({ client: session });
        expect(asRole.callerArn).toBe(`arn:aws:sts::${motoAccount}:assumed-role/restate-invoker/probe`);
        // The session ARN has no path; the real role ARN has /restate/, hence pathUnknown.
        expect(asRole).toMatchObject({
          kind: "role",
          pathUnknown: true,
          principalArn: `arn:aws:iam::${motoAccount}:role/restate-invoker`,
        });
        expect(roleArn).toBe(`arn:aws:iam::${motoAccount}:role/restate/restate-invoker`);
      } finally {
        session.destroy();
      }
    } finally {
      sts.destroy();
    }
  });
});

describe("verifyAssumeRole against moto", () => {
  it("succeeds for the role created from the generated policies", async () => {
    const result = await verifyAssumeRole({ roleArn, externalId: "restate-prod", clientConfig: config });
    expect(result).toMatchObject({
      ok: true,
      assumedRoleArn: `arn:aws:sts::${motoAccount}:assumed-role/restate-invoker/restate-invoker-role-verify`,
    });
  });

  it("reports an unreachable STS in plain words instead of throwing", async () => {
    const port = await freePort();
    const result = await verifyAssumeRole({
      roleArn,
      externalId: "restate-prod",
      clientConfig: { ...config, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/could not reach STS \(ECONNREFUSED\)/);
  });

  it("refuses invalid input before calling AWS", async () => {
    await expect(
      verifyAssumeRole({ roleArn: "arn:aws:iam::123456789012:user/x", clientConfig: config }),
    ).rejects.toThrow(expect.objectContaining({ code: "invalid_arn", message: expect.stringMatching(/IAM role ARN/) }));
    await expect(verifyAssumeRole({ roleArn, externalId: "x", clientConfig: config })).rejects.toThrow(
      expect.objectContaining({ code: "invalid_external_id" }),
    );
  });
});

describe("CLI whoami / verify against moto", () => {
  const run = (args: string[]) => {
    expect(existsSync(cli), "build first: npx tsup").toBe(true);
    return spawnSync(process.execPath, [cli, ...args, "--endpoint-url", moto.endpoint, "--aws-region", moto.region], {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
      },
    });
  };

  it("whoami --json prints the caller", () => {
    const result = run(["whoami", "--json"]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accountId: motoAccount });
  });

  it("whoami --profile takes credentials from a named profile", () => {
    const dir = mkdtempSync(join(tmpdir(), "invoker-role-profile-"));
    try {
      writeFileSync(
        join(dir, "credentials"),
        `[restate-test]\naws_access_key_id = ${moto.credentials.accessKeyId}\naws_secret_access_key = ${moto.credentials.secretAccessKey}\n`,
      );
      writeFileSync(join(dir, "config"), "[profile restate-test]\nregion = us-east-1\n");
      const env: Record<string, string | undefined> = {
        ...process.env,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
        AWS_CONFIG_FILE: join(dir, "config"),
      };
      delete env.AWS_ACCESS_KEY_ID;
      delete env.AWS_SECRET_ACCESS_KEY;
      delete env.AWS_PROFILE;
      const args = [cli, "whoami", "--json", "--endpoint-url", moto.endpoint];
      const ok = spawnSync(process.execPath, [...args, "--profile", "restate-test"], { encoding: "utf8", env });
      expect(ok.status, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ accountId: motoAccount });
      const missing = spawnSync(process.execPath, [...args, "--profile", "nope"], { encoding: "utf8", env });
      expect(missing.status).toBe(1);
      expect(JSON.parse(missing.stdout).error.code).toBe("sts_failed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("whoami --json prints JSON when STS cannot be reached too (exit 1, retryable)", () => {
    const failed = spawnSync(
      process.execPath,
      [cli, "whoami", "--json", "--endpoint-url", "http://127.0.0.1:9", "--aws-region", "us-east-1"],
      {
        encoding: "utf8",
        env: { ...process.env, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_MAX_ATTEMPTS: "1" },
      },
    );
    expect(failed.status).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      error: { code: "sts_failed", message: expect.stringMatching(/could not reach STS/), retryable: true },
    });
    expect(failed.stderr).toMatch(/^restate-invoker-role: error \[sts_failed\]: could not reach STS/);
  });

  it("verify exits 0 on success and 1 when STS cannot be reached", () => {
    const ok = run(["verify", "--role-arn", roleArn, "--external-id", "restate-prod"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^OK: assumed arn:aws:sts::\d{12}:assumed-role\/restate-invoker\//);
    const failed = spawnSync(
      process.execPath,
      [
        cli,
        "verify",
        "--role-arn",
        roleArn,
        "--external-id",
        "restate-prod",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--aws-region",
        "us-east-1",
        "--json",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_MAX_ATTEMPTS: "1" },
      },
    );
    expect(failed.status).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false });
  });
});
