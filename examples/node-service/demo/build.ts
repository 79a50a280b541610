import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, type Stats, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Stack } from "./stack.ts";

const FILTER = "--filter=@restate-connect/example-node-service^...";

export interface BuildResult {
  ok: boolean;
  /** False when the outputs on disk were already built from exactly the current sources. */
  ran: boolean;
  output: string;
}

export interface DryRunTask {
  taskId: string;
  hash: string;
  command: string;
  directory: string;
  outputs?: string[];
}

/**
 * Builds the packages the demo imports (identity, journal-encryption, admin-client) with turbo.
 *
 * Turbo's dry run says which source hash each package has; when the demo itself last built exactly
 * those hashes and the outputs are still on disk, nothing is run at all. That keeps a repeated demo
 * fast, and it never rewrites `dist/` files that other processes (e.g. tests running in parallel)
 * may be reading.
 */
export async function ensureBuilt(repoRoot: string, stack: Stack): Promise<BuildResult> {
  const turbo = join(repoRoot, "node_modules", ".bin", "turbo");
  const stamp = join(repoRoot, "examples", "node-service", ".turbo", "demo-build.json");
  const dry = await run(turbo, ["run", "build", FILTER, "--dry=json"], repoRoot, stack);
  let hashes: Record<string, string> | undefined;
  if (dry.code === 0) {
    try {
      const tasks = (JSON.parse(dry.output) as { tasks: DryRunTask[] }).tasks.filter(
        (task) => task.command !== "<NONEXISTENT>",
      );
      hashes = Object.fromEntries(tasks.map((task) => [task.taskId, task.hash]));
      const outputsPresent = tasks.every((task) => (task.outputs ?? []).every((glob) => present(repoRoot, task, glob)));
      const fresh =
        outputsPresent &&
        (sameHashes(readStamp(stamp), hashes) || tasks.every((task) => outputsNewerThanInputs(repoRoot, task)));
      if (fresh) {
        writeStamp(stamp, hashes);
        return { ok: true, ran: false, output: "" };
      }
    } catch {
      hashes = undefined; // an unexpected dry-run format: just build
    }
  }
  const build = await run(turbo, ["run", "build", FILTER, "--output-logs=errors-only"], repoRoot, stack);
  if (build.code === 0 && hashes !== undefined) writeStamp(stamp, hashes);
  return { ok: build.code === 0, ran: true, output: build.output };
}

function present(repoRoot: string, task: DryRunTask, glob: string): boolean {
  const dir = join(repoRoot, task.directory, glob.replace(/\/\*\*.*$/, ""));
  return existsSync(dir) && readdirSync(dir).length > 0;
}

/**
 * Make-style freshness: every output file is newer than every input (what turbo.json lists for
 * `build`: src, package.json, tsconfig.json, tsup.config.ts). True right after `turbo run build`, e.g.
 * when `npm test` has just built everything, even before the demo wrote its stamp.
 */
export function outputsNewerThanInputs(repoRoot: string, task: DryRunTask): boolean {
  const dir = join(repoRoot, task.directory);
  const inputs = [
    join(dir, "src"),
    ...["package.json", "tsconfig.json", "tsup.config.ts"].map((name) => join(dir, name)),
  ];
  const newestInput = Math.max(...inputs.map((path) => extremeMtime(path, Math.max, 0)));
  const oldestOutput = Math.min(
    ...(task.outputs ?? []).map((glob) => extremeMtime(join(dir, glob.replace(/\/\*\*.*$/, "")), Math.min, 0)),
  );
  return oldestOutput > 0 && oldestOutput >= newestInput;
}

/** The newest (pick = Math.max) or oldest (Math.min) modification time of the files under `path`. */
function extremeMtime(path: string, pick: (a: number, b: number) => number, missing: number): number {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return missing;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let result: number | undefined;
  for (const entry of readdirSync(path)) {
    const value = extremeMtime(join(path, entry), pick, Number.NaN);
    if (!Number.isNaN(value)) result = result === undefined ? value : pick(result, value);
  }
  return result ?? missing;
}

function writeStamp(file: string, hashes: Record<string, string>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(hashes, null, 2)}\n`);
}

function readStamp(file: string): Record<string, string> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function sameHashes(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (a === undefined) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((key) => a[key] === b[key]);
}

function run(
  command: string,
  args: string[],
  cwd: string,
  stack: Stack,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Ctrl-C during the build stops turbo too.
    stack.addCleanup(() => {
      if (child.exitCode === null) child.kill("SIGTERM");
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", (error) => resolve({ code: -1, output: error.message }));
    child.once("close", (code) => resolve({ code, output: code === 0 ? stdout : `${stdout}${stderr}` }));
  });
}
