#!/usr/bin/env node
// Package checks for a publishable package, run by `npm test` in its folder (script "check:package"):
// publint, @arethetypeswrong/cli, and the exact file list of `npm pack --dry-run`.
// Each check counts as one test in .reports/package-check.json, summed by scripts/test.mjs.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const cwd = process.cwd();
const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
const results = [];

function check(title, fn) {
  try {
    const problem = fn();
    results.push({ title, ok: !problem, problem });
  } catch (error) {
    results.push({ title, ok: false, problem: String(error?.stack ?? error) });
  }
}

function exec(command, args) {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

check("publint", () => {
  const r = exec("publint", ["--strict"]);
  return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`;
});

check("are the types wrong", () => {
  const r = exec("attw", ["--pack", ".", "--format", "table-flipped"]);
  return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`;
});

check("npm pack contains only dist/, the docs (README.md, FORMAT.md), LICENSE, package.json", () => {
  const r = exec("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]);
  if (r.status !== 0) return r.stderr;
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
  const allowed = (path) =>
    path.startsWith("dist/") || ["README.md", "FORMAT.md", "LICENSE", "package.json"].includes(path);
  const extra = files.filter((path) => !allowed(path));
  const missing = ["README.md", "LICENSE", "package.json"].filter((path) => !files.includes(path));
  if (!files.some((path) => path.startsWith("dist/"))) missing.push("dist/ (run the build first)");
  if (extra.length || missing.length)
    return `unexpected: ${extra.join(", ") || "none"}; missing: ${missing.join(", ") || "none"}`;
});

for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${pkg.name}: ${r.title}${r.ok ? "" : `\n${r.problem}`}`);
mkdirSync(join(cwd, ".reports"), { recursive: true });
writeFileSync(
  join(cwd, ".reports", "package-check.json"),
  JSON.stringify({
    numPassedTests: results.filter((r) => r.ok).length,
    numFailedTests: results.filter((r) => !r.ok).length,
    testResults: [],
  }),
);
process.exit(results.every((r) => r.ok) ? 0 : 1);
