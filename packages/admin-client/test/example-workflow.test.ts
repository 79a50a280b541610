import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli/args.js";

const workflow = readFileSync(
  new URL("../../../examples/github-actions/register-deployment.yml", import.meta.url),
  "utf8",
);

describe("the GitHub Actions example", () => {
  it("only uses commands and flags the CLI accepts", () => {
    const registerArgs = /args=\((.*)\)/.exec(workflow)?.[1];
    expect(registerArgs).toBeDefined();
    const argv = (registerArgs ?? "")
      .split(/\s+/)
      .map((word) => word.replace(/^"\$DEPLOYMENT"$/, "https://svc.example.com"));
    const extra = [...workflow.matchAll(/args\+=\((.*?)\)/g)].flatMap((m) =>
      (m[1] ?? "").split(/\s+/).map((word) => word.replace(/^".*"$/, "arn:aws:iam::123456789012:role/r")),
    );
    // The role flag needs an ARN target; check the HTTP flags with a URL and the role flag with an ARN.
    const withoutRole = extra.filter((w, i) => w !== "--assume-role-arn" && extra[i - 1] !== "--assume-role-arn");
    const headerFixed = withoutRole.map((w, i) => (withoutRole[i - 1] === "--header" ? "x-api-key=k" : w));
    expect(parseCommandLine([...argv, ...headerFixed], {}).command).toMatchObject({ kind: "register", breaking: true });
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:f:1";
    expect(
      parseCommandLine(["register", arn, "--assume-role-arn", "arn:aws:iam::123456789012:role/r", "--json"], {})
        .command,
    ).toMatchObject({ target: { arn } });
    for (const command of workflow.matchAll(/admin-client@[\d.]+ ([a-z]+)\b/g)) {
      expect(["health", "services", "register"]).toContain(command[1]);
    }
    expect(workflow).toMatch(/RESTATE_AUTH_TOKEN: \$\{\{ secrets\.RESTATE_AUTH_TOKEN \}\}/);
  });
});
