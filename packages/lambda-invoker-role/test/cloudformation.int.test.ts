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

function lint(file: string) {
  return spawnSync(cfnLint, ["--format", "parseable", "--", file], { encoding: "utf8" });
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
    for (const file of files) {
      const result = lint(file);
      expect(result.status, `${file}\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it("does fail a broken template (the linter is really checking)", () => {
    const file = join(work, "broken.yaml");
    const broken = toCloudFormation(SPECS["cloud-us"]!(), { format: "yaml" }).replace(
      "MaxSessionDuration: 3600",
      "MaxSessionDuration: 60",
    );
    writeFileSync(file, broken);
    const result = lint(file);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/MaxSessionDuration|3600/);
  });
});
