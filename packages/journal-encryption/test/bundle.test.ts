import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** Follows relative imports from an entry through the emitted chunks. */
function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(dist(file), "utf8");
    for (const match of source.matchAll(/(?:from\s*|import\s*\(?\s*|require\()\s*["']\.\/([^"']+)["']/g)) {
      queue.push(match[1] as string);
    }
  }
  return [...seen].map((file) => readFileSync(dist(file), "utf8"));
}

describe("built bundles (run `npm run build` first)", () => {
  it("the core entry never references the AWS SDK or a static node:crypto import", () => {
    expect(existsSync(dist("index.js")), "dist/index.js missing: build the package first").toBe(true);
    for (const entry of ["index.js", "index.cjs"]) {
      const sources = reachableSources(entry);
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        expect(source).not.toContain("@aws-sdk");
        expect(source).not.toMatch(/from\s*["']node:crypto["']|require\(["']node:crypto["']\)/);
      }
    }
  });

  it("the /kms entry does load the AWS SDK (so the check above can fail)", () => {
    expect(reachableSources("kms.js").join("\n")).toContain("@aws-sdk/client-kms");
  });
});

describe("built CLI", () => {
  it("runs as a script: generate-key, then inspect a value from the committed vectors", async () => {
    const { spawnSync } = await import("node:child_process");
    const cli = dist("cli.js");
    const key = spawnSync(process.execPath, [cli, "generate-key"], { encoding: "utf8" });
    expect(key.status).toBe(0);
    expect(Buffer.from(key.stdout.trim(), "base64")).toHaveLength(32);
    const vectors = JSON.parse(readFileSync(fileURLToPath(new URL("./vectors/v1.json", import.meta.url)), "utf8")) as {
      vectors: { envelopeHex: string; keyId: string }[];
    };
    const first = vectors.vectors[1] as { envelopeHex: string; keyId: string };
    const inspected = spawnSync(process.execPath, [cli, "inspect", first.envelopeHex], { encoding: "utf8" });
    expect(inspected.status).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ version: 1, provider: "local", keyId: first.keyId });
    const bad = spawnSync(process.execPath, [cli, "inspect", "nonsense!"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
  });

  it("without AWS credentials, the built /kms provider says so in words (the real SDK's default chain)", () => {
    const script = `
      import { KMSClient } from "@aws-sdk/client-kms";
      import { kmsKeyProvider } from ${JSON.stringify(dist("kms.js"))};
      const client = new KMSClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9" });
      const provider = kmsKeyProvider({ keyId: "arn:aws:kms:us-east-1:111122223333:key/k", client });
      provider.generateDataKey().then(
        () => console.log("generated"),
        (e) => console.log(JSON.stringify({ code: e.code, message: e.message, retryable: e.retryable })),
      );`;
    const home = mkdtempSync(join(tmpdir(), "journal-no-aws-"));
    try {
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        // No AWS_* variables, an empty home (no ~/.aws), and no instance metadata lookups.
        env: { PATH: process.env.PATH ?? "", HOME: home, AWS_EC2_METADATA_DISABLED: "true" },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(JSON.parse(run.stdout.trim())).toEqual({
        code: "provider_error",
        retryable: false,
        message: expect.stringMatching(/no AWS credentials were found .*\(CredentialsProviderError\)/),
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
