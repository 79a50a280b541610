import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAwsCli, toCloudFormation, toIamJson, toTerraform } from "../src/index.js";
import { ENV_ID, SPECS } from "./fixtures.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "invoker-role-cli-"));
const FN = "arn:aws:lambda:us-east-1:111122223333:function:greeter";

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", ...(input === undefined ? {} : { input }) });
}

beforeAll(() => {
  expect(existsSync(cli), "build first: npx tsup").toBe(true);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("restate-invoker-role CLI", () => {
  it("has --help for the program and every command", () => {
    const main = run(["--help"]);
    expect(main.status).toBe(0);
    for (const command of ["trust-policy", "invoke-policy", "role", "check", "whoami", "verify"]) {
      expect(main.stdout).toContain(command);
      const help = run([command, "--help"]);
      expect(help.status, command).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: restate-invoker-role ${command}`));
    }
  });

  it("exits 2 on usage errors, naming the problem", () => {
    const cases: [string[], RegExp][] = [
      [[], /Commands:/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["trust-policy"], /either --environment-id .* or --principal-arn/],
      [["trust-policy", "--environment-id", "env-bad"], /\[invalid_environment_id\]/],
      [["trust-policy", "--environment-id", ENV_ID, "--region", "ap"], /\[invalid_region\]/],
      [["trust-policy", "--environment-id", ENV_ID, "--external-id", "x1"], /Restate Cloud uses the environment id/],
      [["trust-policy", "--bogus"], /Unknown option '--bogus'/],
      [["invoke-policy"], /at least one --function/],
      [["invoke-policy", "--function", "arn:aws:lambda:us-east-1:1:function:f"], /\[invalid_account_id\]/],
      [["role", "--environment-id", ENV_ID, "--function", FN, "--format", "xml"], /--format must be one of/],
      [
        ["role", "--environment-id", ENV_ID, "--function", "arn:aws-cn:lambda:cn-north-1:111122223333:function:f"],
        /\[partition_mismatch\].*only in the aws partition/,
      ],
      [["role", "--environment-id", ENV_ID, "--function", FN, "--tag", "novalue"], /--tag must be key=value/],
      [["check", "--environment-id", ENV_ID], /--policy/],
      [
        ["check", "--policy", "-", "--environment-id", ENV_ID, "--external-id", "x1"],
        /Restate Cloud uses the environment id/,
      ],
      [["check", "--policy", "-", "--invoke-policy", "-"], /not both/],
      [["whoami", "--function", FN], /--function is not an option of whoami/],
      [["verify"], /--role-arn/],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(message);
      expect(result.stdout).toBe("");
    }
  });

  it("trust-policy and invoke-policy print the generator's documents", () => {
    const cloud = run(["trust-policy", "--environment-id", ENV_ID, "--region", "eu"]);
    expect(cloud.status).toBe(0);
    expect(JSON.parse(cloud.stdout).Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe(ENV_ID);
    const self = run([
      "trust-policy",
      "--principal-arn",
      "arn:aws:iam::111122223333:role/r",
      "--external-id",
      "abc",
      "--json",
    ]);
    expect(JSON.parse(self.stdout).Statement[0].Principal.AWS).toBe("arn:aws:iam::111122223333:role/r");
    const invoke = run(["invoke-policy", "--function", FN, "--function", `${FN}:3`]);
    expect(JSON.parse(invoke.stdout).Statement[0].Resource).toEqual([FN, `${FN}:*`, `${FN}:3`]);
  });

  it("role prints every format exactly as the library renders it", () => {
    const spec = SPECS["cloud-eu"]!();
    const args = [
      "role",
      "--environment-id",
      ENV_ID,
      "--region",
      "eu",
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
      const result = run([...args, "--format", format]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout, format).toBe(output);
    }
    expect(run([...args, "--json"]).stdout).toBe(expected.json);
  });

  it("check exits 0 for a good policy and 1 with a table (or JSON) for a weak one", () => {
    const good = join(work, "good.json");
    writeFileSync(good, run(["trust-policy", "--environment-id", ENV_ID]).stdout);
    const ok = run(["check", "--policy", good, "--environment-id", ENV_ID]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe("OK: no errors found\n");

    const weak = join(work, "get-role.json");
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
    };
    writeFileSync(weak, JSON.stringify({ Role: { RoleName: "r", AssumeRolePolicyDocument: policy } }));
    const table = run(["check", "--policy", weak, "--environment-id", ENV_ID]);
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(/^SEVERITY\s+CODE/);
    expect(table.stdout).toMatch(/error\s+wildcard_principal/);
    expect(table.stdout).toMatch(/FAILED: errors found\n$/);
    const json = run(
      ["check", "--policy", "-", "--principal-arn", "arn:aws:iam::111122223333:role/r", "--json"],
      JSON.stringify(policy),
    );
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).findings.map((f: { code: string }) => f.code)).toContain("wildcard_principal");
  });

  it("check --invoke-policy flags broad invoke grants", () => {
    const file = join(work, "invoke.json");
    writeFileSync(
      file,
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }] }),
    );
    const result = run(["check", "--invoke-policy", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/broad_resource/);
    const good = join(work, "invoke-good.json");
    writeFileSync(good, run(["invoke-policy", "--function", FN]).stdout);
    expect(run(["check", "--invoke-policy", good]).status).toBe(0);
  });

  it("check exits 2 for unreadable or invalid input", () => {
    expect(run(["check", "--policy", join(work, "missing.json"), "--environment-id", ENV_ID]).stderr).toMatch(
      /cannot read/,
    );
    const bad = join(work, "bad.json");
    writeFileSync(bad, "{ not json");
    const result = run(["check", "--policy", bad, "--environment-id", ENV_ID]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\[invalid_policy\]/);
  });
});
