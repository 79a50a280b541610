import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pythonTool } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toCloudFormation } from "../src/index.js";
import { SPECS } from "./fixtures.js";

const work = mkdtempSync(join(tmpdir(), "invoker-role-cfn-"));
let cfnLint: string;

beforeAll(async () => {
  cfnLint = await pythonTool("cfn-lint");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// One cfn-lint process for many templates: its Python start-up dominates the run time.
function lint(...files: string[]) {
  return spawnSync(cfnLint, ["--format", "parseable", "--", ...files], { encoding: "utf8" });
}

describe("cfn-lint", () => {
  it("passes every generated template, JSON and YAML", () => {
    const files: string[] = [];
    for (const [name, make] of Object.entries(SPECS)) {
      for (const format of ["json", "yaml"] as const) {
        const file = join(work, `${name}.${format}`);
        writeFileSync(file, toCloudFormation(make(), { format }));
        files.push(file);
      }
    }
    const result = lint(...files);
    expect(result.error).toBeUndefined();
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toBe("");
  }, 120_000);

  it("does fail a broken template (the linter is really checking)", () => {
    const file = join(work, "broken.yaml");
    const broken = toCloudFormation(SPECS["cloud-us"]!(), { format: "yaml" }).replace(
      "MaxSessionDuration: 3600",
      "MaxSessionDuration: 60",
    );
    writeFileSync(file, broken);
    const good = join(work, "good.yaml");
    writeFileSync(good, toCloudFormation(SPECS["cloud-us"]!(), { format: "yaml" }));
    // The broken file comes second: a multi-file run must still report it.
    const result = lint(good, file);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/broken\.yaml.*(MaxSessionDuration|3600)/);
    expect(result.stdout).not.toMatch(/good\.yaml/);
  }, 120_000);
});
