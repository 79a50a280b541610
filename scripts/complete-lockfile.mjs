#!/usr/bin/env node
// npm records a platform-specific optional dependency (esbuild, biome, rollup, workerd, deno … ship
// one package per OS/CPU) in package-lock.json only when the registry it installed from served that
// package. Against a registry that serves only the current platform's builds, the lock then lacks
// the others, and `npm ci` refuses it as out of sync with package.json. This adds a version-only
// entry for every optional dependency the lock lacks, so `npm ci` validates the lock and still
// installs only the packages that fit the machine. Run it after changing dependencies:
//   npm run lockfile:complete
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;
const exact = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
let added = 0;

for (const [path, entry] of Object.entries({ ...packages })) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolution walks up from the dependent's folder to the root: is any candidate already there?
    const candidates = [];
    let dir = path;
    for (;;) {
      candidates.push(`${dir ? `${dir}/` : ""}node_modules/${name}`);
      if (!dir) break;
      const cut = dir.lastIndexOf("/node_modules/");
      dir = cut === -1 ? "" : dir.slice(0, cut);
    }
    const found = candidates.find((candidate) => packages[candidate]);
    if (found && packages[found].version === spec) continue;
    if (!exact.test(spec)) {
      console.warn(`left alone: ${name}@${spec} (not an exact version) wanted by ${path || "the root"}`);
      continue;
    }
    // Nest it under the dependent when the hoisted place holds another version.
    const target = packages[`node_modules/${name}`] ? candidates[0] : `node_modules/${name}`;
    if (packages[target]) continue;
    packages[target] = { version: spec, ...(entry.dev ? { dev: true } : {}), optional: true };
    added += 1;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} version-only entries for optional platform packages`);
