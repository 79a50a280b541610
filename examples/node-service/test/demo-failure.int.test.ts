import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "@restate-connect/testkit";
import { afterEach, expect, it } from "vitest";
import { killProcessesWithEnv, lastJsonLine, processesWithEnv, startDemo } from "./run-demo.ts";

const MARKER = "RC_DEMO_TEST_RUN";
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

it("a failing step is named, with the server's and the service's log tails, and still nothing is left behind", async () => {
  const runId = randomUUID();
  const tempRoot = mkdtempSync(join(tmpdir(), "rc-demo-test-"));
  const run = startDemo(["--json", "--wrong-key"], {
    ...process.env,
    [MARKER]: runId,
    TMPDIR: tempRoot,
    NO_COLOR: "1",
  });
  cleanup = () => {
    run.signal("SIGKILL");
    killProcessesWithEnv(MARKER, runId);
    rmSync(tempRoot, { recursive: true, force: true });
  };

  expect(await run.exited).toBe(1);
  const summary = lastJsonLine(run.stdout()) as {
    ok: boolean;
    failedStep: number;
    steps: Array<{ step: number; ok: boolean; error?: string }>;
    pids: number[];
    serverLogTail: string;
    serviceLogTail: string;
  };
  expect(summary.ok).toBe(false);
  expect(summary.failedStep).toBe(3);
  expect(summary.steps.map((step) => [step.step, step.ok])).toEqual([
    [1, true],
    [2, true],
    [3, false],
  ]);
  // Restate's discovery request was refused by the service: the reason travels all the way back.
  expect(summary.steps[2]?.error).toContain("401");
  expect(summary.serverLogTail).toContain("401 Unauthorized");
  expect(summary.serviceLogTail).toContain('"code":"bad_signature"');

  const stderr = run.stderr();
  expect(stderr).toContain("✗ Step 3 (Register the service with @restate-connect/admin-client) failed");
  expect(stderr).toContain("--- restate-server log (tail) ---");
  expect(stderr).toContain("--- service log (tail) ---");

  for (const pid of summary.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  expect(processesWithEnv(MARKER, runId)).toEqual([]);
  expect(readdirSync(tempRoot).filter((name) => name.startsWith("restate-connect-"))).toEqual([]);
});
