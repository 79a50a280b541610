import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { repoRoot } from "@restate-connect/testkit";

export interface DemoRun {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Exit code (or the signal name) once the npm process group leader has exited. */
  exited: Promise<number | string>;
  /** Sends a signal to the whole process group, as a terminal does on Ctrl-C. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts `npm run -s demo -- …args` from the repository root exactly as a user would, in its own
 * process group, with a marker in its environment that every descendant inherits.
 */
export function startDemo(args: string[], env: NodeJS.ProcessEnv): DemoRun {
  const child = spawn("npm", ["run", "-s", "demo", "--", ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error("could not start npm");
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const pid = child.pid;
  return {
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    signal: (signal) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone
      }
    },
  };
}

/** The JSON summary: the last line of stdout (npm prints its own banner lines before it). */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const line = stdout.trimEnd().split("\n").at(-1) ?? "";
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * Pids of live processes whose environment contains `NAME=value` (Linux /proc). Every process the
 * demo starts inherits the marker, so this finds leftovers without trusting the demo's own report.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      // A zombie has exited already; only its parent's bookkeeping is left.
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && `${environ}\0`.includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Kills whatever `processesWithEnv` finds (test cleanup after a failure). */
export function killProcessesWithEnv(name: string, value: string): void {
  for (const pid of processesWithEnv(name, value)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
