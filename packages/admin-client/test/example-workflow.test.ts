import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";

const workflow = readFileSync(
  new URL("../../../examples/github-actions/register-deployment.yml", import.meta.url),
  "utf8",
);

/** Runs the CLI in process against an admin URL where nothing listens: exit 1 means the line parsed. */
async function parses(argv: string[]): Promise<{ code: number; errors: string }> {
  const errors: string[] = [];
  const io = {
    stdout: () => undefined,
    stderr: (t: string) => errors.push(t),
    env: { RESTATE_ADMIN_URL: "http://127.0.0.1:9" },
  };
  const code = await run([...argv, "--timeout", "1s"], io);
  return { code, errors: errors.join("\n") };
}

describe("the GitHub Actions example", () => {
  it("only uses commands and flags the CLI accepts", async () => {
    const registerArgs = /args=\((.*)\)/.exec(workflow)?.[1];
    expect(registerArgs).toBeDefined();
    const argv = (registerArgs ?? "")
      .split(/\s+/)
      .map((word) => word.replace(/^"\$DEPLOYMENT"$/, "https://svc.example.com"))
      .filter((word) => word !== "--wait-ready" && word !== "60s");
    const extra = [...workflow.matchAll(/args\+=\((.*?)\)/g)].flatMap((m) =>
      (m[1] ?? "").split(/\s+/).map((word) => word.replace(/^".*"$/, "arn:aws:iam::123456789012:role/r")),
    );
    // The role flag needs an ARN target; check the HTTP flags with a URL and the role flag with an ARN.
    const withoutRole = extra.filter((w, i) => w !== "--assume-role-arn" && extra[i - 1] !== "--assume-role-arn");
    const headerFixed = withoutRole.map((w, i) => (withoutRole[i - 1] === "--header" ? "x-api-key=k" : w));
    const http = await parses([...argv, ...headerFixed]);
    expect(http.errors).toMatch(/error \[network_error\]/);
    expect(http.code).toBe(1);
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:f:1";
    const lambda = await parses(["register", arn, "--assume-role-arn", "arn:aws:iam::123456789012:role/r", "--json"]);
    expect(lambda.code).toBe(1);
    for (const command of workflow.matchAll(/admin-client@[\d.]+ ([a-z]+)\b/g)) {
      expect(["health", "services", "register"]).toContain(command[1]);
    }
    expect(workflow).toMatch(/RESTATE_AUTH_TOKEN: \$\{\{ secrets\.RESTATE_AUTH_TOKEN \}\}/);
  });
});
