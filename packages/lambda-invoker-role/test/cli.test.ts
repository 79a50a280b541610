import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { toAwsCli, toCloudFormation, toIamJson, toTerraform } from "../src/index.js";
import { ENV_ID, SPECS } from "./fixtures.js";

const work = mkdtempSync(join(tmpdir(), "invoker-role-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const FN = "arn:aws:lambda:us-east-1:111122223333:function:greeter";

/** Runs the CLI in process; stdin (for `-`) is `input`. */
async function cli(args: string[], input?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run(args, {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env: {},
    ...(input === undefined ? {} : { stdin: async () => new TextEncoder().encode(input) }),
  });
  return { status, stdout: out.map((text) => `${text}\n`).join(""), stderr: err.map((text) => `${text}\n`).join("") };
}

describe("restate-invoker-role CLI", () => {
  it("has --version, --help, help <command> and <command> --help", async () => {
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ status: 0, stdout: "0.1.0\n" });
    const main = await cli(["--help"]);
    expect(main.status).toBe(0);
    expect(main.stdout).toContain("Exit codes: 0 success, 1 refused or failed, 2 usage error.");
    for (const command of ["trust-policy", "invoke-policy", "role", "check", "whoami", "verify"]) {
      expect(main.stdout).toContain(command);
      for (const args of [
        [command, "--help"],
        ["help", command],
      ]) {
        const help = await cli(args);
        expect(help.status, args.join(" ")).toBe(0);
        expect(help.stdout).toMatch(new RegExp(`^Usage: restate-invoker-role ${command}`));
      }
    }
    expect((await cli(["whoami", "--help"])).stdout).toMatch(
      /--aws-region <region>[\s\S]*--endpoint-url <url>[\s\S]*--profile <name>/,
    );
  });

  it("exits 2 on usage errors with one error line naming the flag", async () => {
    const cases: [string[], string][] = [
      [[], "[missing_command]: no command given"],
      [["frobnicate"], '[unknown_command]: unknown command "frobnicate"'],
      [["trust-policy"], "[missing_option]: give --environment-id (Restate Cloud) or --principal-arn (self-hosted)"],
      [
        ["trust-policy", "--environment-id", "env-bad"],
        "[invalid_option]: --environment-id is not valid: environment id must be",
      ],
      [["trust-policy", "--environment-id", ENV_ID, "--region", "eu"], "[unknown_option]: unknown flag --region"],
      [
        ["trust-policy", "--environment-id", ENV_ID, "--external-id", "x1"],
        "[conflicting_options]: --external-id is for self-hosted",
      ],
      [
        ["trust-policy", "--principal-arn", "arn:aws:iam::111122223333:role/r", "--external-id", "x"],
        "[invalid_option]: --external-id is not valid",
      ],
      [["trust-policy", "--enviroment-id", ENV_ID], "(did you mean --environment-id?)"],
      [["invoke-policy"], "[missing_option]: give at least one --function"],
      [
        ["invoke-policy", "--function", "arn:aws:lambda:us-east-1:1:function:f"],
        "[invalid_option]: --function is not valid: account id",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--format", "xml"],
        "[invalid_option]: --format must be one of json, cloudformation, yaml, terraform, cli",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--format", "yaml", "--json"],
        "[conflicting_options]: --json prints the IAM JSON",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", "arn:aws-cn:lambda:cn-north-1:111122223333:function:f"],
        "[invalid_option]: --function is not valid: functions are in partition aws-cn: Restate Cloud runs only in the aws partition",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--tag", "novalue"],
        "[invalid_option]: --tag must be key=value",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--tag", "aws:x=1"],
        "[invalid_option]: --tag is not valid: tag key",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--max-session-duration", "60"],
        "[invalid_option]: --max-session-duration must be a whole number of seconds from 3600 to 43200",
      ],
      [
        ["role", "--environment-id", ENV_ID, "--function", FN, "--role-name", "a b"],
        "[invalid_option]: --role-name is not valid",
      ],
      [["role", "--environment-id", ENV_ID, "--function", FN, "--path", "x"], "[invalid_option]: --path is not valid"],
      [["check", "--environment-id", ENV_ID], "[missing_option]: give --policy <file>"],
      [
        ["check", "--policy", "-", "--invoke-policy", "-"],
        "[conflicting_options]: give --policy or --invoke-policy, not both",
      ],
      [
        ["check", "--policy", join(work, "missing.json"), "--environment-id", ENV_ID],
        "[invalid_option]: --policy cannot read",
      ],
      [["whoami", "--function", FN], '[unknown_option]: unknown flag --function for "whoami"'],
      [["whoami", "--region-aws", "eu-west-1"], "[unknown_option]: unknown flag --region-aws"],
      [["whoami", "--aws-region", "Europe"], "[invalid_option]: --aws-region must be an AWS region name"],
      [["whoami", "--endpoint-url", "ftp://x"], "[invalid_option]: --endpoint-url must be an http(s) URL"],
      [["verify"], "[missing_option]: give --role-arn"],
      [
        ["verify", "--role-arn", "arn:aws:iam::111122223333:user/u"],
        "[invalid_option]: --role-arn is not valid: must be an IAM role ARN",
      ],
      [
        ["verify", "--role-arn", "arn:aws:iam::111122223333:role/r", "--external-id", "x"],
        "[invalid_option]: --external-id is not valid",
      ],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(/^restate-invoker-role: error \[[a-z_]+\]: [^\n]*\n$/);
      expect(result.stderr, args.join(" ")).toContain(message);
      expect(result.stderr, args.join(" ")).not.toMatch(/maxSessionDuration|functionArns|environmentId|principalArn/);
      if (args.includes("--json")) expect(JSON.parse(result.stdout).error.message).toContain(message.split("]: ")[1]);
      else expect(result.stdout, args.join(" ")).toBe("");
    }
  });

  it("prints the error as JSON on stdout with --json", async () => {
    const result = await cli(["trust-policy", "--environment-id", "env-bad", "--json"]);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: "invalid_option", message: expect.stringMatching(/^--environment-id is not valid/) },
    });
  });

  it("trust-policy and invoke-policy print the generator's documents", async () => {
    const cloud = await cli(["trust-policy", "--environment-id", ENV_ID]);
    expect(cloud.status).toBe(0);
    expect(JSON.parse(cloud.stdout).Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe(ENV_ID);
    const self = await cli([
      "trust-policy",
      "--principal-arn",
      "arn:aws:iam::111122223333:role/r",
      "--external-id",
      "abc",
      "--json",
    ]);
    expect(JSON.parse(self.stdout).Statement[0].Principal.AWS).toBe("arn:aws:iam::111122223333:role/r");
    const invoke = await cli(["invoke-policy", "--function", FN, "--function", `${FN}:3`]);
    expect(JSON.parse(invoke.stdout).Statement[0].Resource).toEqual([FN, `${FN}:*`, `${FN}:3`]);
  });

  it("role prints every format exactly as the library renders it", async () => {
    const spec = SPECS["cloud-eu"]!();
    const args = [
      "role",
      "--environment-id",
      ENV_ID,
      "--role-name",
      spec.roleName,
      "--max-session-duration",
      "7200",
      "--tag",
      "team=payments",
      "--tag",
      "cost center=ops @ 42/b=c",
      ...spec.functionArns.flatMap((arn) => ["--function", arn]),
    ];
    const expected: Record<string, string> = {
      json: toIamJson(spec),
      cloudformation: toCloudFormation(spec, { format: "json" }),
      yaml: toCloudFormation(spec, { format: "yaml" }),
      terraform: toTerraform(spec),
      cli: toAwsCli(spec),
    };
    for (const [format, output] of Object.entries(expected)) {
      const result = await cli([...args, "--format", format]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout, format).toBe(output);
    }
    expect((await cli([...args, "--json"])).stdout).toBe(expected.json);
  });

  it("role keeps every --tag, whatever its key", async () => {
    const result = await cli([
      "role",
      "--environment-id",
      ENV_ID,
      "--function",
      FN,
      "--tag",
      "__proto__=x",
      "--tag",
      "team=a",
    ]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).Tags).toEqual([
      { Key: "__proto__", Value: "x" },
      { Key: "team", Value: "a" },
    ]);
  });

  it("role refuses, naming the format, a value that format cannot carry", async () => {
    const result = await cli([
      "role",
      "--principal-arn",
      "arn:aws:iam::111122223333:role/{{resolve:ssm:x}}/r",
      "--function",
      FN,
      "--format",
      "yaml",
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\[invalid_option\]: --format yaml cannot carry this role: .*dynamic reference/);
  });

  it("check exits 0 for a good policy and 1 with a table (or JSON) for a weak one", async () => {
    const good = join(work, "good.json");
    writeFileSync(good, (await cli(["trust-policy", "--environment-id", ENV_ID])).stdout);
    const ok = await cli(["check", "--policy", good, "--environment-id", ENV_ID]);
    expect(ok).toMatchObject({ status: 0, stdout: "OK: no errors found\n" });

    const weak = join(work, "get-role.json");
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
    };
    writeFileSync(weak, JSON.stringify({ Role: { RoleName: "r", AssumeRolePolicyDocument: policy } }));
    const table = await cli(["check", "--policy", weak, "--environment-id", ENV_ID]);
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(/^SEVERITY\s+CODE/);
    expect(table.stdout).toMatch(/error\s+wildcard_principal/);
    expect(table.stdout).toMatch(/FAILED: errors found\n$/);
    const json = await cli(
      ["check", "--policy", "-", "--principal-arn", "arn:aws:iam::111122223333:role/r", "--json"],
      JSON.stringify(policy),
    );
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).findings.map((f: { code: string }) => f.code)).toContain("wildcard_principal");
  });

  it("check fails a GitHub OIDC statement next to a good one (exit 1)", async () => {
    const good = JSON.parse(
      (await cli(["trust-policy", "--principal-arn", "arn:aws:iam::111122223333:role/r"])).stdout,
    );
    good.Statement.push({
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
    });
    const result = await cli(
      ["check", "--policy", "-", "--principal-arn", "arn:aws:iam::111122223333:role/r"],
      JSON.stringify(good),
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/error\s+federated_trust/);
  });

  it("check --invoke-policy fails broad invoke grants", async () => {
    const file = join(work, "invoke.json");
    writeFileSync(
      file,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:*:*:function:*" }],
      }),
    );
    const result = await cli(["check", "--invoke-policy", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/wildcard_function/);
    const good = join(work, "invoke-good.json");
    writeFileSync(good, (await cli(["invoke-policy", "--function", FN])).stdout);
    expect((await cli(["check", "--invoke-policy", good])).status).toBe(0);
    expect((await cli(["check", "--invoke-policy", good, "--environment-id", ENV_ID])).status).toBe(2);
  });

  it("check exits 2 for input that is not a policy, naming the flag", async () => {
    const bad = join(work, "bad.json");
    writeFileSync(bad, "{ not json");
    const result = await cli(["check", "--policy", bad, "--environment-id", ENV_ID, "--json"]);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error).toEqual({
      code: "invalid_option",
      message: "--policy is not valid: the policy is not valid JSON",
    });
  });

  it("check shows no control or bidi character from the policy, on any path, with or without --json", async () => {
    // Terminal escapes (C0, C1 such as the one-byte CSI U+009B), line separators and bidi
    // overrides that could reorder what the terminal shows, wherever policy text reaches output:
    // repeated keys, element names, operators, condition keys, principals, actions, Sids.
    const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
    const hostile = fc.string({
      unit: fc.constantFrom(
        "\u001b",
        "\u009b",
        "\u0085",
        "\u0007",
        "\u2028",
        "\u202e",
        "\u2066",
        "\u200f",
        "\ufeff",
        "\ud800",
        "[",
        "1m",
        "a",
      ),
      minLength: 1,
      maxLength: 6,
    });
    const asJson = (text: string) =>
      JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const place = fc.constantFrom(
      "repeated",
      "document",
      "statement",
      "operator",
      "conditionKey",
      "principal",
      "action",
      "sid",
      "effect",
      "version",
    );
    await fc.assert(
      fc.asyncProperty(hostile, place, fc.boolean(), fc.boolean(), async (text, where, invoke, json) => {
        const value = asJson(text);
        const statement = [
          `"Sid": ${where === "sid" ? value : '"s"'}`,
          `"Effect": ${where === "effect" ? value : '"Allow"'}`,
          `"Principal": {"AWS": ${where === "principal" ? value : '"*"'}}`,
          `"Action": ${where === "action" ? value : '"sts:AssumeRole"'}`,
          `"Condition": {${where === "operator" ? value : '"StringEquals"'}: {${where === "conditionKey" ? value : '"sts:ExternalId"'}: "x"}}`,
          ...(where === "statement" ? [`${value}: 1`] : []),
        ];
        const document = [
          `"Version": ${where === "version" ? value : '"2012-10-17"'}`,
          `"Statement": [{${statement.join(", ")}}]`,
          ...(where === "document" ? [`${value}: 1`] : []),
          ...(where === "repeated" ? [`${value}: 1`, `${value}: 2`] : []),
        ];
        const args = invoke
          ? ["check", "--invoke-policy", "-"]
          : ["check", "--policy", "-", "--principal-arn", `arn:aws:iam::111122223333:role/r`];
        const result = await cli(json ? [...args, "--json"] : args, `{${document.join(", ")}}`);
        expect(result.status).toBeGreaterThan(0);
        const shown = `${result.stdout}${result.stderr}`.replaceAll("\n", "");
        expect(shown, `${where}: ${JSON.stringify(text)}`).not.toMatch(unsafe);
      }),
      { numRuns: 300 },
    );
  });
});
