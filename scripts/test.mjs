#!/usr/bin/env node
// THE test command (`npm test`): lint + format check, then typecheck, build, every package's tests
// and the package checks through turbo, the runtime matrix, the README snippets, the
// shape of the four CLIs, then one closing line "N passed, N failed[, N skipped]"
// summed over every report the run wrote. Exits non-zero if anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
const workspaces = ["packages", "examples"].flatMap((dir) =>
  existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
);
// The root's own report folder holds the runtime matrix.
workspaces.push(root);

// Reports from an earlier run must not be counted again (turbo restores cached ones itself).
for (const ws of workspaces) rmSync(join(ws, ".reports"), { recursive: true, force: true });

const steps = [];
function run(label, command, args) {
  console.log(`\n▶ ${label}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  const ok = result.status === 0;
  steps.push({ label, ok });
  return ok;
}

run("lint", "biome", ["ci", "."]);
// The Python test tools (moto, cfn-lint) are installed once, up front, rather than inside the first
// test that needs them, where a slow PyPI could exceed that test's hook timeout.
run("python test tools", "node", [
  "--disable-warning=ExperimentalWarning",
  "--input-type=module",
  "-e",
  'await (await import("./packages/testkit/src/python.ts")).pythonTool("moto_server");',
]);
run("typecheck, build, tests, package checks", "turbo", [
  "run",
  "typecheck",
  "build",
  "test",
  "check:package",
  "--continue",
  "--concurrency=2",
]);
run("typecheck scripts", "tsc", ["-p", "scripts/tsconfig.json"]);
run("runtime matrix", "node", ["scripts/runtimes/run.mjs"]);
run("README snippets", "node", ["scripts/readme-snippets.mjs"]);
run("CLI shape", "node", ["scripts/cli-shape.mjs"]);

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
for (const ws of workspaces) {
  const dir = join(ws, ".reports");
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A test file that fails to load has no failed test, only a failed suite.
    const brokenFiles = (report.testResults ?? []).filter(
      (r) => r.status === "failed" && (r.assertionResults ?? []).every((a) => a.status !== "failed"),
    ).length;
    if (brokenFiles > 0) {
      failed += brokenFiles;
      problems.push(`${join(ws, ".reports", file)}: ${brokenFiles} test file(s) failed to run`);
    }
  }
}
// A failed step that produced no failed test (lint, typecheck, build) still counts as a failure.
for (const step of steps) if (!step.ok && failed === 0) failed += 1;

console.log("");
for (const step of steps) console.log(`${step.ok ? "✓" : "✗"} ${step.label}`);
for (const problem of problems) console.log(`✗ ${problem}`);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || steps.some((s) => !s.ok) ? 1 : 0);
