#!/usr/bin/env node
// `npm run test:unit`: the fast loop. Every workspace's unit tests (test/**/*.test.ts except the
// *.int.test.ts files that start real servers), no runtime matrix. The libraries are built first
// (a turbo cache hit when nothing changed): some unit tests check the built dist/.
// Extra arguments go to vitest (e.g. `npm run test:unit -- -t envelope`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspaces = ["packages", "examples"].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name)),
);
const bin = join(root, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TURBO_TELEMETRY_DISABLED: "1" };
const build = spawnSync("turbo", ["run", "build", "--output-logs=errors-only"], { cwd: root, stdio: "inherit", env });
if (build.status !== 0) process.exit(1);
const failed = [];
for (const ws of workspaces) {
  if (!existsSync(join(ws, "vitest.config.mjs"))) continue;
  const name = relative(root, ws);
  console.log(`\n▶ ${name}`);
  const result = spawnSync(
    "vitest",
    [
      "run",
      "--exclude",
      "**/*.int.test.ts",
      "--exclude",
      "**/node_modules/**",
      "--reporter=default",
      "--passWithNoTests",
      ...process.argv.slice(2),
    ],
    {
      cwd: ws,
      stdio: "inherit",
      env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` },
    },
  );
  if (result.status !== 0) failed.push(name);
}
console.log(failed.length === 0 ? "\n✓ unit tests passed" : `\n✗ unit tests failed in: ${failed.join(", ")}`);
process.exit(failed.length === 0 ? 0 : 1);
