import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Every process the testkit starts runs in its own process group, is remembered here and in the
 * run's pid directory (see global-setup.ts), and is killed on stop(), on process exit, and — if a
 * test worker dies without cleaning up — by the global teardown. Nothing outlives a test run.
 */
export interface ManagedProcess {
  readonly pid: number;
  /** The last lines the process wrote to stdout and stderr. */
  logs(): string;
  /** Resolves when the whole process group is gone. Safe to call more than once. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once, no grace period (a crash, as a test wants it). Resolves when it is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface SpawnManagedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 3 s. */
  gracefulStopMs?: number;
  /** How many characters of output to keep for logs(). Default 64 KiB. */
  logLimit?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) if (child.pid !== undefined) killGroup(child.pid, "SIGKILL");
  });
}

function pidFile(pid: number): string | undefined {
  const dir = process.env.RESTATE_CONNECT_TESTKIT_PIDS;
  return dir ? join(dir, String(pid)) : undefined;
}

export function spawnManaged(command: string, args: string[], options: SpawnManagedOptions = {}): ManagedProcess {
  installExitHook();
  const limit = options.logLimit ?? 64 * 1024;
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > limit * 2) output = output.slice(-limit);
  };

  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${command}`);
  }
  const pid = child.pid;
  live.add(child);
  const file = pidFile(pid);
  if (file) writeFileSync(file, `${command} ${args.join(" ")}\n`);
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);

  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });

  let stopping: Promise<void> | undefined;
  const end = (graceMs: number) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pid, graceMs > 0 ? "SIGTERM" : "SIGKILL");
        const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // The leader is gone; make sure nothing else in its group lingers.
      killGroup(pid, "SIGKILL");
      if (file) rmSync(file, { force: true });
    })();
    return stopping;
  };

  return {
    pid,
    logs: () => output.slice(-limit),
    stop: () => end(options.gracefulStopMs ?? 3000),
    kill: () => {
      // Also cuts short a stop() that is still waiting out its grace period.
      if (child.exitCode === null && child.signalCode === null) killGroup(pid, "SIGKILL");
      return end(0);
    },
    exited,
  };
}

/** True while a process with this pid exists (and is not a zombie we could still reap). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
