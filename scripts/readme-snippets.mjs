#!/usr/bin/env node
// Every TypeScript snippet in a README is code a user will copy. This extracts each ```ts block from
// the root, package and example READMEs into its own module, type-checks them all under `strict`
// against the built packages (as a user would import them), and runs the blocks preceded by
// `<!-- snippet: run -->` with Node. Part of `npm test` (after the build); writes
// .reports/readme-snippets.json for the closing line. Exits 1 if any snippet fails.
//
//   node scripts/readme-snippets.mjs [README.md …]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const work = join(root, ".cache", "readme-snippets");
const bin = (name) => join(root, "node_modules", ".bin", name);

function readmes() {
  const found = [join(root, "README.md")];
  for (const dir of ["packages", "examples"]) {
    for (const name of readdirSync(join(root, dir))) {
      const file = join(root, dir, name, "README.md");
      if (existsSync(file)) found.push(file);
    }
  }
  return found;
}

/** The ```ts / ```typescript blocks of a Markdown file, with their line and whether to run them. */
export function extractSnippets(markdown) {
  const lines = markdown.split("\n");
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    const previous = lines.slice(Math.max(0, i - 2), i).join("\n");
    snippets.push({
      line: start,
      code: lines
        .slice(start, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join("\n"),
      run: /<!--\s*snippet:\s*run\s*-->/.test(previous),
    });
    i = end;
  }
  return snippets;
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => join(process.cwd(), f)) : readmes();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const modules = [];
for (const file of files) {
  const where = relative(root, file);
  for (const snippet of extractSnippets(readFileSync(file, "utf8"))) {
    const name = `${where.replace(/[^A-Za-z0-9]+/g, "_")}_L${snippet.line}.ts`;
    // `export {}` makes every snippet a module of its own (top-level await, no shared globals).
    writeFileSync(join(work, name), `${snippet.code}\nexport {};\n`);
    modules.push({ name, where: `${where}:${snippet.line}`, run: snippet.run });
  }
}
writeFileSync(
  join(work, "tsconfig.json"),
  JSON.stringify({
    extends: "../../tsconfig.base.json",
    compilerOptions: { noEmit: true, strict: true, allowImportingTsExtensions: true, types: ["node"] },
    include: ["*.ts"],
  }),
);

const failures = [];
// tsc reports no type errors at all while any file has a syntax error, so snippets with syntax
// errors are set aside and the rest checked again.
const errorsByModule = new Map();
for (let round = 0; round < 20; round++) {
  const tsc = spawnSync(bin("tsc"), ["-p", work, "--pretty", "false"], { cwd: root, encoding: "utf8" });
  let syntax = false;
  for (const line of `${tsc.stdout}${tsc.stderr}`.split("\n")) {
    const match = /readme-snippets\/([^(]+)\((\d+),\d+\): (error TS(\d+).*)$/.exec(line);
    if (!match) continue;
    const list = errorsByModule.get(match[1]) ?? [];
    list.push(`line ${match[2]}: ${match[3]}`);
    errorsByModule.set(match[1], list);
    if (match[4].startsWith("1")) {
      syntax = true;
      rmSync(join(work, match[1]), { force: true });
    }
  }
  if (tsc.status !== 0 && errorsByModule.size === 0) failures.push({ where: "tsc", detail: tsc.stdout + tsc.stderr });
  if (!syntax) break;
}
for (const module of modules) {
  const errors = errorsByModule.get(module.name);
  if (errors) failures.push({ where: module.where, detail: [...new Set(errors)].join("\n    ") });
}
// The workspace's pinned Node (22), as under `npm test`, whatever node started this script.
const node = existsSync(bin("node")) ? bin("node") : process.execPath;
for (const module of modules.filter((m) => m.run && !errorsByModule.has(m.name))) {
  const result = spawnSync(node, ["--disable-warning=ExperimentalWarning", join(work, module.name)], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) failures.push({ where: `${module.where} (run)`, detail: `${result.stderr}`.slice(-2000) });
}

const checks = modules.length + modules.filter((m) => m.run).length;
for (const failure of failures) console.log(`✗ ${failure.where}\n    ${failure.detail}`);
mkdirSync(join(root, ".reports"), { recursive: true });
writeFileSync(
  join(root, ".reports", "readme-snippets.json"),
  JSON.stringify({ numPassedTests: checks - failures.length, numFailedTests: failures.length, testResults: [] }),
);
console.log(
  `README snippets: ${modules.length} type-checked, ${modules.filter((m) => m.run).length} run; ${checks - failures.length} passed, ${failures.length} failed`,
);
process.exit(failures.length > 0 ? 1 : 0);
