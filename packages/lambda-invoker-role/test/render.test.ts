import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  InvokerRoleError,
  invokerRole,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
  toAwsCli,
  toCloudFormation,
  toIamJson,
  toTerraform,
} from "../src/index.js";
import { shellQuote } from "../src/render-cli.js";
import { cloudFormationTemplate } from "../src/render-cloudformation.js";
import { iamShape } from "../src/render-iam.js";
import { ACCOUNT, ENV_ID, expectGolden, SPECS } from "./fixtures.js";

const work = mkdtempSync(join(tmpdir(), "invoker-role-render-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("golden outputs", () => {
  it("trust policies of both kinds", () => {
    expectGolden(
      "trust-cloud-us.json",
      `${JSON.stringify(restateCloudTrustPolicy({ environmentId: ENV_ID }), null, 2)}\n`,
    );
    expectGolden(
      "trust-self-hosted.json",
      `${JSON.stringify(selfHostedTrustPolicy({ principalArn: `arn:aws:iam::${ACCOUNT}:role/restate-server` }), null, 2)}\n`,
    );
    expectGolden(
      "trust-self-hosted-external-id.json",
      `${JSON.stringify(
        selfHostedTrustPolicy({
          principalArn: `arn:aws:iam::${ACCOUNT}:role/restate-server`,
          externalId: "restate-prod",
        }),
        null,
        2,
      )}\n`,
    );
  });

  for (const [name, make] of Object.entries(SPECS)) {
    it(`every renderer for ${name}`, () => {
      const spec = make();
      expectGolden(`${name}/iam.json`, toIamJson(spec));
      expectGolden(`${name}/cloudformation.json`, toCloudFormation(spec, { format: "json" }));
      expectGolden(`${name}/cloudformation.yaml`, toCloudFormation(spec, { format: "yaml" }));
      expectGolden(`${name}/main.tf`, toTerraform(spec));
      expectGolden(`${name}/create-role.sh`, toAwsCli(spec));
    });
  }
});

describe("round trips", () => {
  for (const [name, make] of Object.entries(SPECS)) {
    it(`${name}: JSON parses back to the spec, YAML (1.1 and 1.2) equals the JSON template`, () => {
      const spec = make();
      expect(JSON.parse(toIamJson(spec))).toEqual(JSON.parse(JSON.stringify(iamShape(spec))));
      const template = JSON.parse(toCloudFormation(spec, { format: "json" }));
      expect(template).toEqual(JSON.parse(JSON.stringify(cloudFormationTemplate(spec))));
      const yaml = toCloudFormation(spec, { format: "yaml" });
      expect(parseYaml(yaml)).toEqual(template);
      expect(parseYaml(yaml, { version: "1.1" })).toEqual(template);
      const resource = template.Resources.RestateInvokerRole.Properties;
      expect(resource.AssumeRolePolicyDocument).toEqual(spec.trustPolicy);
      expect(resource.Policies[0].PolicyDocument).toEqual(spec.invokePolicy);
    });
  }

  it("rejects an unknown CloudFormation format", () => {
    // @ts-expect-error deliberately wrong format
    expect(() => toCloudFormation(SPECS["cloud-us"]!(), { format: "xml" })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/json.*yaml/) }),
    );
  });

  it("refuses strings CloudFormation would resolve as dynamic references", () => {
    for (const path of ["/{{resolve:ssm:name}}/", "/{{RESOLVE:secretsmanager:s}}/"]) {
      const spec = invokerRole({
        trustPolicy: selfHostedTrustPolicy({ principalArn: `arn:aws:iam::${ACCOUNT}:role${path}restate` }),
        functionArns: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`],
      });
      for (const format of ["json", "yaml"] as const) {
        expect(() => toCloudFormation(spec, { format })).toThrow(
          expect.objectContaining({ code: "unrenderable_value", message: expect.stringMatching(/dynamic reference/) }),
        );
      }
      // The other renderers carry it as plain data.
      expect(toIamJson(spec)).toContain("{{");
    }
  });
});

describe("AWS CLI commands", () => {
  it("quote words so a POSIX shell passes them through unchanged", () => {
    for (const word of ["plain", "it's", "a b", "$HOME", "`x`", '"q"', "\\", "", "--x", "$(id)", "a\nb", "!x", "*"]) {
      const out = execFileSync("sh", ["-c", `printf '%s' ${shellQuote(word)}`], { encoding: "utf8" });
      expect(out).toBe(word);
    }
  });

  it("quote any generated word so sh passes it through byte for byte (property, one sh per batch)", () => {
    // No NUL (an argument cannot hold one; shellQuote refuses it). Words are printed NUL-separated.
    const word = fc.string({ unit: "grapheme", maxLength: 24 }).filter((w) => !w.includes("\0"));
    const adversarial = fc.oneof(word, fc.stringMatching(/^[$`'"\\{}()*?!;&|<> \n\t%#~=-]{0,16}$/));
    fc.assert(
      fc.property(fc.array(adversarial, { minLength: 1, maxLength: 40 }), (words) => {
        const script = `printf '%s\\0' ${words.map(shellQuote).join(" ")}`;
        const out = execFileSync("sh", ["-c", script], { encoding: "utf8" });
        expect(out.split("\0").slice(0, -1)).toEqual(words);
      }),
      { numRuns: 25 },
    );
    expect(() => shellQuote("a\0b")).toThrow(InvokerRoleError);
  });

  it("quote a word that starts with = (zsh replaces =name with the path of the command name)", () => {
    // IAM names may start with "=": in zsh, the default macOS shell, `--role-name =ls` runs as
    // `--role-name /bin/ls` (EQUALS expansion, on by default). Checked with zsh 5.9.
    for (const word of ["=ls", "=restate", "==x"]) expect(shellQuote(word)).toBe(`'${word}'`);
    expect(shellQuote("a=b")).toBe("a=b");
    const cloud = restateCloudTrustPolicy({ environmentId: ENV_ID });
    const spec = invokerRole({
      roleName: "=ls",
      trustPolicy: cloud,
      functionArns: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`],
    });
    expect(toAwsCli(spec)).toContain("--role-name '=ls' ");
  });

  it("refuse values the AWS CLI would read from a file or URL, and join values that look like options", () => {
    const cloud = restateCloudTrustPolicy({ environmentId: ENV_ID });
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
    const dashed = invokerRole({ roleName: "--profile=evil", trustPolicy: cloud, functionArns: [fn] });
    const lines = toAwsCli(dashed).split("\n");
    expect(lines[0]).toMatch(/^aws iam create-role --role-name=--profile=evil --path \/ /);
    expect(lines[2]).toBe("aws iam get-role --role-name=--profile=evil --query Role.Arn --output text");
    for (const roleName of ["file:///etc/passwd", "fileb://key", "HTTPS://example.com/x"]) {
      expect(() => toAwsCli({ ...dashed, roleName })).toThrow(
        expect.objectContaining({ code: "unrenderable_value", message: expect.stringMatching(/file or URL/) }),
      );
    }
  });

  for (const [name, make] of Object.entries(SPECS)) {
    it(`${name}: the commands carry exactly the generated documents through sh`, () => {
      const spec = make();
      const script = join(work, `${name}.sh`);
      // A stand-in `aws` that prints its arguments as JSON, one line per command.
      writeFileSync(
        script,
        `aws() { "${process.execPath}" -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }\n${toAwsCli(spec)}`,
      );
      const result = spawnSync("sh", [script], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      const [create, put, get] = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as string[]);
      // `--flag value`, or `--flag=value` for values that start with "-".
      const option = (words: string[] | undefined, flag: string) => {
        const joined = words!.find((word) => word.startsWith(`${flag}=`));
        return joined === undefined ? words![words!.indexOf(flag) + 1] : joined.slice(flag.length + 1);
      };
      expect(create!.slice(0, 2)).toEqual(["iam", "create-role"]);
      expect(option(create, "--role-name")).toBe(spec.roleName);
      expect(option(create, "--path")).toBe(spec.path);
      expect(Number(option(create, "--max-session-duration"))).toBe(spec.maxSessionDuration);
      expect(JSON.parse(option(create, "--assume-role-policy-document")!)).toEqual(spec.trustPolicy);
      if (spec.tags.length > 0) expect(JSON.parse(option(create, "--tags")!)).toEqual(spec.tags);
      else expect(create).not.toContain("--tags");
      expect(put!.slice(0, 2)).toEqual(["iam", "put-role-policy"]);
      expect(option(put, "--policy-name")).toBe(spec.policyName);
      expect(JSON.parse(option(put, "--policy-document")!)).toEqual(spec.invokePolicy);
      expect(option(get, "--role-name")).toBe(spec.roleName);
      expect(get!.slice(-4)).toEqual(["--query", "Role.Arn", "--output", "text"]);
    });
  }
});

describe("Terraform", () => {
  for (const [name, make] of Object.entries(SPECS)) {
    it(`${name}: is valid HCL formatted exactly like terraform fmt`, () => {
      const dir = mkdtempSync(join(work, "tf-"));
      writeFileSync(join(dir, "main.tf"), toTerraform(make()));
      const result = spawnSync("terraform", ["fmt", "-check", "-diff", "main.tf"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" },
      });
      expect(result.error, "terraform must be on PATH for this test").toBeUndefined();
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    });
  }

  it("writes tags as a map with quoted keys", () => {
    expect(toTerraform(SPECS["cloud-eu"]!())).toContain('    "cost center" = "ops @ 42/b=c"\n');
  });
});
