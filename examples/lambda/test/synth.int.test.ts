import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
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
const serverKeys = generateKeyPair();

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
      "restate:identityKeys": serverKeys.publicKey,
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

    // The bundle runs as Lambda would run it: configured from its environment, it refuses an unsigned
    // invocation and answers a signed discovery. (Placed inside the example so that the AWS SDK, which
    // the Node 22 Lambda runtime provides and the bundle leaves out, resolves here.)
    mkdirSync(join(exampleDir, ".cache"), { recursive: true });
    const runDir = mkdtempSync(join(exampleDir, ".cache", "bundle-"));
    outDirs.push(runDir);
    for (const file of ["index.mjs", "index.mjs.map"])
      copyFileSync(join(outDir, assetDir as string, file), join(runDir, file));
    const saved = { keys: process.env.RESTATE_IDENTITY_KEYS, kms: process.env.JOURNAL_KMS_KEY_ID };
    process.env.RESTATE_IDENTITY_KEYS = serverKeys.publicKey;
    process.env.JOURNAL_KMS_KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    try {
      const bundle = (await import(pathToFileURL(join(runDir, "index.mjs")).href)) as {
        handler: (
          event: unknown,
          context: unknown,
        ) => Promise<{ statusCode: number; body: string; isBase64Encoded?: boolean }>;
      };
      const unsigned = await bundle.handler(
        { path: "/invoke/profiles/get", httpMethod: "POST", headers: {}, body: "" },
        {},
      );
      expect(unsigned.statusCode).toBe(401);
      const headers = {
        accept: "application/vnd.restate.endpointmanifest.v3+json",
        ...(await createSigner({ privateKeyPem: serverKeys.privateKeyPem }).sign("/discover")),
      };
      const discovery = await bundle.handler({ path: "/discover", httpMethod: "GET", headers, body: "" }, {});
      expect(discovery.statusCode).toBe(200);
      const manifest = JSON.parse(
        Buffer.from(discovery.body, discovery.isBase64Encoded ? "base64" : "utf8").toString("utf8"),
      );
      expect(manifest.services.map((service: { name: string }) => service.name)).toEqual(["profiles"]);
    } finally {
      process.env.RESTATE_IDENTITY_KEYS = saved.keys;
      process.env.JOURNAL_KMS_KEY_ID = saved.kms;
      if (saved.keys === undefined) delete process.env.RESTATE_IDENTITY_KEYS;
      if (saved.kms === undefined) delete process.env.JOURNAL_KMS_KEY_ID;
    }

    const cfnLint = await pythonTool("cfn-lint");
    const lint = await run(cfnLint, ["--format", "parseable", templateFile]).then(
      (done) => ({ code: 0, output: done.stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? "" }),
    );
    // Errors fail; warnings are allowed (CDK itself emits a redundant DependsOn that cfn-lint flags as W3005).
    const errors = lint.output.split("\n").filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(lint.output).toMatch(/^(.*:W\d{4}:.*\n?)*$/);
    // cdk synth (esbuild bundling) and cfn-lint together take minutes on a loaded 2-core machine.
  }, 240_000);

  it("fails with a clear message when a required context value is missing", async () => {
    const { code, stderr } = await synth({ "restate:target": "self-hosted" });
    expect(code, stderr).not.toBe(0);
    expect(stderr).toContain("context restate:principalArn is required");
  });
});
