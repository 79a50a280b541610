#!/usr/bin/env node
// Package checks for a publishable package, run by `npm test` in its folder (script "check:package"):
// publint, @arethetypeswrong/cli, the exact file list of `npm pack --dry-run`, the README's relative
// links, and the packed tarball installed into a project outside the repository as a user gets it.
// Each check counts as one test in .reports/package-check.json, summed by scripts/test.mjs.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

const cwd = process.cwd();
const root = new URL("..", import.meta.url).pathname;
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

/** Every file under dist/, as a path relative to the package folder. */
function distFiles() {
  const dist = join(cwd, "dist");
  if (!existsSync(dist)) return [];
  return readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(cwd, join(entry.parentPath, entry.name)));
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
  // A package's FORMAT.md is linked from its README as "shipped in the package".
  const required = [
    "README.md",
    "LICENSE",
    "package.json",
    ...(existsSync(join(cwd, "FORMAT.md")) ? ["FORMAT.md"] : []),
  ];
  const missing = required.filter((path) => !files.includes(path));
  if (!files.some((path) => path.startsWith("dist/"))) missing.push("dist/ (run the build first)");
  if (extra.length || missing.length)
    return `unexpected: ${extra.join(", ") || "none"}; missing: ${missing.join(", ") || "none"}`;
});

check("every file in dist/ is an entry of package.json or imported by a shipped file (no dead files)", () => {
  const files = distFiles();
  if (files.length === 0) return "dist/ is empty: run the build first";
  const reached = new Set();
  const queue = [];
  const add = (path) => {
    const file = relative(cwd, join(cwd, path));
    if (!reached.has(file) && existsSync(join(cwd, file))) {
      reached.add(file);
      queue.push(file);
    }
  };
  const collect = (value) => {
    if (typeof value === "string") add(value);
    else if (value && typeof value === "object") for (const inner of Object.values(value)) collect(inner);
  };
  for (const field of ["exports", "bin", "main", "module", "types", "typings", "typesVersions"]) collect(pkg[field]);
  while (queue.length > 0) {
    const file = queue.shift();
    const text = readFileSync(join(cwd, file), "utf8");
    const types = /\.d\.[cm]?ts$/.test(file);
    const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|<reference\s+path=)["'](\.{1,2}\/[^"']+)["']/g;
    for (const [, specifier] of text.matchAll(pattern)) {
      const target = join(dirname(file), specifier);
      // A declaration file names the module ("./chunk.js"); its types are the matching .d.ts.
      const candidates = types
        ? [target.replace(/\.(c|m)?js$/, (_, kind = "") => `.d.${kind}ts`), `${target}.d.ts`]
        : [target, `${target}.js`, `${target}.cjs`];
      for (const candidate of candidates) add(candidate);
    }
  }
  const dead = files.filter((file) => !reached.has(file));
  return dead.length ? `nothing references: ${dead.join(", ")}` : undefined;
});

check("README.md and FORMAT.md: every relative link points to a file of the repository", () => {
  // npm renders the README with links resolved against `repository.directory`: a relative link must
  // name a file that exists in the repository, or it is a 404 on the package page.
  const broken = [];
  for (const doc of ["README.md", "FORMAT.md"].filter((f) => existsSync(join(cwd, f)))) {
    const prose = readFileSync(join(cwd, doc), "utf8").replace(/```[\s\S]*?```/g, "");
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      if (!existsSync(join(cwd, target.split("#")[0]))) broken.push(`${doc}: ${target}`);
    }
  }
  const repository = pkg.repository?.directory;
  if (repository !== undefined && join(root, repository) !== join(cwd, "."))
    broken.push(`package.json repository.directory is "${repository}", not this folder`);
  return broken.length ? broken.join("\n") : undefined;
});

check("a dependency bundled into dist/ keeps its licence notice in the file that carries it", () => {
  // The CommonJS builds bundle ES-module-only dependencies (MIT): the notice must travel with the code.
  // esbuild marks bundled code with a `// …/node_modules/<name>/<file>` comment.
  const problems = [];
  for (const file of distFiles().filter((path) => /\.c?js$/.test(path))) {
    const text = readFileSync(join(cwd, file), "utf8");
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      if (!text.includes(`node_modules/${name}/`)) continue;
      const notice = text
        .match(/\/\*![\s\S]*?\*\//g)
        ?.find((c) => c.includes(`${name} `) && c.includes("Permission is"));
      if (!notice) problems.push(`${file} bundles ${name} without its copyright and permission notice`);
    }
  }
  return problems.length ? problems.join("\n") : undefined;
});

check(
  "installed from its tarball outside the repository: bins answer --version/--help, entry points load as ESM and CJS (also without require(esm))",
  () => {
    const temp = mkdtempSync(join(tmpdir(), "restate-connect-packed-"));
    try {
      return checkPackedInstall(temp);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  },
);

/** `npm pack`, `npm install <tarball>` in a new project under `temp`, then run what a user runs. */
function checkPackedInstall(temp) {
  const packed = exec("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", temp]);
  if (packed.status !== 0) return `npm pack failed: ${packed.stderr}`;
  const tarball = join(temp, JSON.parse(packed.stdout)[0].filename);
  const project = join(temp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "packed-check", private: true }));
  const run = (command, args, options = {}) =>
    spawnSync(command, args, { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, ...options });
  // The runtime dependencies come from npm's cache (filled by `npm ci`), the network only if missing.
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball]);
  if (install.status !== 0) return `npm install of the tarball failed: ${install.stderr}`;
  // Optional peers that subpaths import (aws-cdk-lib, @aws-sdk/*, hono) are linked from the
  // workspace, as a user who installed them has them; their own dependencies resolve there.
  for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
    const source = join(root, "node_modules", peer);
    const target = join(project, "node_modules", peer);
    if (peer.startsWith("@restate-connect/") || !existsSync(source) || existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(source, target, "dir");
  }
  const problems = [];
  for (const bin of Object.keys(pkg.bin ?? {})) {
    // The bin link itself, as npx runs it: executable bit, shebang, no workspace-only import.
    const binPath = join(project, "node_modules", ".bin", bin);
    const version = run(binPath, ["--version"]);
    if (version.status !== 0 || version.stdout.trim() !== pkg.version)
      problems.push(`${bin} --version: exit ${version.status}, "${version.stdout.trim()}" ${version.stderr}`);
    const help = run(binPath, ["--help"]);
    if (help.status !== 0 || !help.stdout.startsWith(`${bin} — `) || !help.stdout.includes("--version"))
      problems.push(`${bin} --help: exit ${help.status}, ${help.stdout.slice(0, 200)} ${help.stderr}`);
  }
  const specifiers = Object.keys(pkg.exports ?? { ".": null })
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? pkg.name : `${pkg.name}${key.slice(1)}`));
  // One process per module system; each specifier prints "<specifier> <export count> [error]".
  const load = (how) =>
    `for (const s of ${JSON.stringify(specifiers)}) { try { console.log(s, Object.keys(${how}).length); }` +
    ` catch (e) { console.log(s, 0, String(e?.message ?? e).split("\\n")[0]); } }`;
  const loaders = {
    ESM: ["--input-type=module", "-e", load("await import(s)")],
    CJS: ["--input-type=commonjs", "-e", load("require(s)")],
    // Node < 20.19 and < 22.12 cannot require() an ES module (ERR_REQUIRE_ESM): the CommonJS build
    // must not reach one, so every Node ≥ 20 can load it. This flag restores that refusal.
    "CJS without require(esm)": ["--no-experimental-require-module", "--input-type=commonjs", "-e", load("require(s)")],
  };
  for (const [kind, args] of Object.entries(loaders)) {
    const loaded = run(process.execPath, args);
    const lines = new Map(loaded.stdout.split("\n").map((line) => [line.split(" ")[0], line]));
    for (const specifier of specifiers) {
      const line = lines.get(specifier);
      if (!(Number(line?.split(" ")[1]) > 0)) problems.push(`${kind} ${line ?? `${specifier}: ${loaded.stderr}`}`);
    }
  }
  return problems.length ? problems.join("\n") : undefined;
}

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
