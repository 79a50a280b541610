import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { pythonTool } from "@restate-connect/testkit";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const exampleDir = fileURLToPath(new URL("..", import.meta.url));
// The CLI this example pins (wherever npm placed it), not whatever `cdk` is on the PATH.
const cdk = join(
  dirname(createRequire(join(exampleDir, "package.json")).resolve("aws-cdk/package.json")),
  "bin",
  "cdk",
);
const outDirs: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** `cdk synth` exactly as a user runs it: the CLI runs the app, which bundles the handler with esbuild. */
async function synth(context: Record<string, string>) {
  const outDir = mkdtempSync(join(tmpdir(), "restate-lambda-synth-"));
  outDirs.push(outDir);
  const args = ["synth", "--quiet", "--no-notices", "--no-version-reporting", "-o", outDir];
  for (const [key, value] of Object.entries(context)) args.push("-c", `${key}=${value}`);
  // Offline and credential-free: no AWS credentials, profiles or instance metadata for the CLI to
  // look up a default account with, no version check, notices or telemetry.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith("AWS_") && !key.startsWith("CDK_")) env[key] = value;
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    CDK_DISABLE_VERSION_CHECK: "1",
    CDK_DISABLE_CLI_TELEMETRY: "true",
  });
  const result = await run(cdk, args, { cwd: exampleDir, env, timeout: 120_000 }).then(
    (done) => ({ code: 0, stderr: done.stderr }),
    (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? "" }),
  );
  return { ...result, outDir };
}

describe("cdk synth (offline)", () => {
  it("synthesises the self-hosted variant with a bundled handler, and cfn-lint accepts the template", async () => {
    const { code, stderr, outDir } = await synth({
      "restate:target": "self-hosted",
      "restate:principalArn": "arn:aws:iam::111122223333:role/restate-server",
      "restate:externalId": "restate-prod",
    });
    expect(code, stderr).toBe(0);
    const templateFile = join(outDir, "RestateLambdaExample.template.json");
    const template = JSON.parse(readFileSync(templateFile, "utf8"));
    const invoker = Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties: { RoleName?: string; AssumeRolePolicyDocument: unknown } }
      >,
    ).find(
      (resource) =>
        resource.Type === "AWS::IAM::Role" && resource.Properties.RoleName === "restate-invoker-RestateLambdaExample",
    );
    expect(JSON.stringify(invoker?.Properties.AssumeRolePolicyDocument)).toContain('"sts:ExternalId":"restate-prod"');

    // The asset is the esbuild bundle of src/lambda.ts, an ES module exporting `handler`.
    const assetDir = readdirSync(outDir).find(
      (name) => name.startsWith("asset.") && existsSync(join(outDir, name, "index.mjs")),
    );
    expect(assetDir).toBeDefined();
    const bundle = readFileSync(join(outDir, assetDir as string, "index.mjs"), "utf8");
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(statSync(join(outDir, assetDir as string, "index.mjs")).size).toBeLessThan(5 * 1024 * 1024);

    const cfnLint = await pythonTool("cfn-lint");
    const lint = await run(cfnLint, ["--format", "parseable", templateFile]).then(
      (done) => ({ code: 0, output: done.stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? "" }),
    );
    // Errors fail; warnings are allowed (CDK itself emits a redundant DependsOn that cfn-lint flags as W3005).
    const errors = lint.output.split("\n").filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(lint.output).toMatch(/^(.*:W\d{4}:.*\n?)*$/);
  });

  it("fails with a clear message when a required context value is missing", async () => {
    const { code, stderr } = await synth({ "restate:target": "self-hosted" });
    expect(code, stderr).not.toBe(0);
    expect(stderr).toContain("context restate:principalArn is required");
  });
});
