import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfigFile } from "../src/cli/config-file.js";
import { run } from "../src/cli/run.js";

const dir = new URL("../../../examples/github-actions/", import.meta.url);
const workflowText = readFileSync(new URL("restate-config.yml", dir), "utf8");
const workflow = parse(workflowText) as {
  env: Record<string, string>;
  jobs: Record<string, { steps: { run?: string }[] }>;
};
const configPath = fileURLToPath(new URL("restate.yaml", dir));

/** Every `restate-admin` command line in the workflow's steps, as argv. */
function commandLines(): string[][] {
  const lines = Object.values(workflow.jobs)
    .flatMap((job) => job.steps.map((step) => step.run ?? ""))
    .flatMap((script) => script.split("\n"))
    .filter((line) => line.includes("@restate-connect/admin-client@"));
  return lines.map((line) => {
    const after = line.split(/@restate-connect\/admin-client@[\d.]+\s+/)[1] ?? "";
    return (after.split(/\s+[>|]/)[0] ?? "")
      .trim()
      .split(/\s+/)
      .map((word) => (word === "restate.yaml" ? configPath : word));
  });
}

describe("the plan / apply / prune GitHub Actions example", () => {
  it("plans, applies and prunes with flags the CLI accepts", async () => {
    const argvs = commandLines();
    expect(argvs.map((argv) => argv.filter((w) => !w.startsWith("-") && w !== configPath).join(" "))).toEqual([
      "plan",
      "apply",
      "deployments prune 2",
    ]);
    for (const argv of argvs) {
      const errors: string[] = [];
      const code = await run([...argv, "--timeout", "1s"], {
        stdout: () => undefined,
        stderr: (t) => errors.push(t),
        // The workflow provides these; nothing listens on port 9, so a parsed command line fails to connect.
        env: { RESTATE_ADMIN_URL: "http://127.0.0.1:9", GREETER_API_KEY: "k", GITHUB_SHA: "abc" },
      });
      expect(errors.join("\n"), argv.join(" ")).toMatch(/error \[network_error\]/);
      expect(code, argv.join(" ")).toBe(1);
    }
    // The step branches on exactly the exit codes `plan --detailed-exitcode` documents.
    expect(workflowText).toMatch(/if \[ "\$code" = 1 \]; then exit 1; fi/);
    expect(workflowText).toMatch(/if \[ "\$code" = 2 \]/);
  });

  it("ships a restate.yaml that validates, with every variable it reads provided by the workflow", async () => {
    // Values only: comments may mention ${VAR} as documentation.
    const values = JSON.stringify(parse(readFileSync(configPath, "utf8")));
    const variables = [...values.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(0);
    for (const name of variables) {
      // GITHUB_* are set by the runner itself.
      if (!name?.startsWith("GITHUB_")) expect(Object.keys(workflow.env), name).toContain(name);
    }
    const env = Object.fromEntries(variables.map((name) => [name as string, "set"]));
    const config = await loadConfigFile(configPath, env);
    expect(config.deployments).toHaveLength(2);
    expect(Object.keys(config.services)).toEqual(["Greeter"]);
    expect(workflow.env.RESTATE_AUTH_TOKEN).toBe("${{ secrets.RESTATE_AUTH_TOKEN }}");
  });
});
