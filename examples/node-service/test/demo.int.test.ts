import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readJournalConfig } from "@restate-connect/example-service-settings";
import { isAlive } from "@restate-connect/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type DemoRun, killProcessesWithEnv, lastJsonLine, processesWithEnv, startDemo } from "./run-demo.ts";

const MARKER = "RC_DEMO_TEST_RUN";

interface Step {
  step: number;
  name: string;
  ok: boolean;
  details: Record<string, unknown>;
}
interface Summary {
  ok: boolean;
  steps: Step[];
  pids: number[];
  tempDirs: string[];
}

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

/** A run of the demo with its own TMPDIR and marker, cleaned up even if the test fails. */
function demo(args: string[]): { run: DemoRun; runId: string; tempRoot: string } {
  const runId = randomUUID();
  const tempRoot = mkdtempSync(join(tmpdir(), "rc-demo-test-"));
  const env: NodeJS.ProcessEnv = { ...process.env, [MARKER]: runId, TMPDIR: tempRoot, NO_COLOR: "1" };
  const run = startDemo(args, env);
  cleanups.push(() => {
    run.signal("SIGKILL");
    killProcessesWithEnv(MARKER, runId);
    rmSync(tempRoot, { recursive: true, force: true });
  });
  return { run, runId, tempRoot };
}

function leftovers(tempRoot: string): string[] {
  return readdirSync(tempRoot).filter((name) => name.startsWith("restate-connect-"));
}

async function until(condition: () => boolean, timeoutMs: number, what: string, run: DemoRun): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; demo stderr:\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("npm run demo", () => {
  it("runs steps 1–7 and reports each outcome in the --json summary, leaving nothing behind", async () => {
    const { run, runId, tempRoot } = demo(["--json"]);
    const code = await run.exited;
    const summary = lastJsonLine(run.stdout()) as unknown as Summary;
    expect({ code, ok: summary.ok }, run.stderr()).toEqual({ code: 0, ok: true });
    // `npm run -s demo -- --json`: stdout is exactly one JSON document, nothing before it.
    expect(JSON.parse(run.stdout())).toEqual(summary);
    expect(summary.steps.map((step) => [step.step, step.ok])).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => [n, true]));
    const [start, service, register, call, stored, attacker, stop] = summary.steps as [
      Step,
      Step,
      Step,
      Step,
      Step,
      Step,
      Step,
    ];

    // 1: a fresh key, the server up
    expect(start.details.publicKey).toMatch(/^publickeyv1_[1-9A-HJ-NP-Za-km-z]{40,50}$/);
    expect(start.details.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // 2: the service runs as its own process with local journal encryption
    expect(service.details.encryption).toBe("local");
    expect(service.details.servicePid).not.toBe(start.details.serverPid);

    // 3: discovery found both services
    const services = register.details.services as Array<{ name: string; handlers: string[] }>;
    expect(services.map((svc) => svc.name).sort()).toEqual(["customer", "payment"]);
    expect(services.find((svc) => svc.name === "payment")?.handlers.sort()).toEqual(["approve", "run", "status"]);

    // 4: the client sees plaintext
    expect(call.details.receipt).toMatchObject({
      customer: "Ada Lovelace",
      cardLast4: "4242",
      amountCents: 4200,
      description: "Analytical Engine, spare gears",
      approvedBy: "ada@example.com",
    });
    expect(call.details.saved).toContain("Ada Lovelace");

    // 5: Restate stores no plaintext, and the scan demonstrably read the stored bytes
    const counts = stored.details.counts as Record<string, number>;
    expect(counts.state).toBeGreaterThanOrEqual(2);
    expect(counts.journal).toBeGreaterThanOrEqual(5);
    expect(stored.details.plaintextFound).toBe(false);
    expect(stored.details.controlVisible).toBe(true);
    const previews = stored.details.previews as Array<{ hex: string; base64: string }>;
    expect(previews.length).toBeGreaterThan(0);
    for (const preview of previews)
      expect(Buffer.from(preview.hex.replace("…", ""), "hex").toString()).not.toContain("Ada");

    // 6: every direct call was refused with 401 and onReject saw why
    const responses = attacker.details.responses as Array<{ status: number; body: string }>;
    expect(responses.map((response) => response.status)).toEqual([401, 401, 401]);
    const rejections = attacker.details.rejections as Array<{ code: string; message: string }>;
    expect(rejections.map((rejection) => rejection.code)).toEqual([
      "missing_scheme",
      "bad_signature",
      "audience_mismatch",
    ]);
    expect(responses.map((response) => JSON.parse(response.body).code)).toEqual(rejections.map((r) => r.code));

    // 7: the demo says it stopped everything — and it did
    expect(stop.details.stoppedPids).toEqual(summary.pids);
    expect(summary.pids.length).toBe(2);
    for (const pid of summary.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const dir of summary.tempDirs) expect(existsSync(dir), dir).toBe(false);
    expect(processesWithEnv(MARKER, runId)).toEqual([]);
    expect(leftovers(tempRoot)).toEqual([]);
  });

  it("with --keep-running stays up until Ctrl-C, then stops every process and removes its temp dirs", async () => {
    const { run, runId, tempRoot } = demo(["--keep-running", "--json"]);
    await until(() => run.stderr().includes("Press Ctrl-C"), 90_000, "the demo to park", run);
    expect(run.stderr()).toMatch(/admin UI: {2}http:\/\/127\.0\.0\.1:\d+\/ui/);
    expect(run.stderr()).toContain("curl -si --http2-prior-knowledge");
    const parked = processesWithEnv(MARKER, runId);
    expect(parked.length).toBeGreaterThanOrEqual(4); // npm, sh, the demo, restate-server, the service

    // The keys are handed over as 0600 files; their contents never appear in the output.
    const keyFile = /JOURNAL_KEYS_FILE=(\S+)/.exec(run.stderr())?.[1] ?? "";
    const pemFile = /--key (\S+signing-key\.pem)/.exec(run.stderr())?.[1] ?? "";
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(pemFile).mode & 0o777).toBe(0o600);
    // The file is what the printed client command reads: the shared settings module accepts it.
    const journal = readJournalConfig(
      { JOURNAL_KEYS_FILE: keyFile },
      { readFile: (path) => readFileSync(path, "utf8") },
    );
    if (journal.provider !== "local") throw new Error("expected local journal keys");
    const journalKey = journal.keys[journal.activeKeyId] ?? "";
    const pemBody = readFileSync(pemFile, "utf8").split("\n")[1] ?? "";
    expect(Buffer.from(journalKey, "base64")).toHaveLength(32);
    expect(pemBody.length).toBeGreaterThan(20);

    run.signal("SIGINT");
    const code = await run.exited;
    for (const secret of [journalKey, pemBody]) {
      expect(run.stdout()).not.toContain(secret);
      expect(run.stderr()).not.toContain(secret);
    }
    expect(existsSync(keyFile)).toBe(false);
    const summary = lastJsonLine(run.stdout()) as unknown as Summary;
    // The demo exits 0; npm, which got the same Ctrl-C, re-raises it on itself once the demo is done.
    expect([0, "SIGINT"]).toContain(code);
    expect(summary.ok).toBe(true);
    expect(summary.steps.at(-1)).toMatchObject({ step: 7, ok: true });
    for (const pid of summary.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    await until(() => processesWithEnv(MARKER, runId).length === 0, 5000, "every demo process to be gone", run);
    expect(leftovers(tempRoot)).toEqual([]);
  });

  it.each(["[1/7]", "[4/7]"])("Ctrl-C as step %s begins stops what was started and exits 130", async (step) => {
    const { run, runId, tempRoot } = demo(["--json"]);
    await until(() => run.stderr().includes(step), 90_000, `step ${step} to begin`, run);
    run.signal("SIGINT");
    const code = await run.exited;
    expect(code).not.toBe(0);
    await until(() => processesWithEnv(MARKER, runId).length === 0, 10_000, "every demo process to be gone", run);
    expect(leftovers(tempRoot)).toEqual([]);
    expect(run.stderr()).toContain("stopping every started process");
  });

  it("a failing step is named with its cause and fix, the log tails are in the summary, and nothing is left behind", async () => {
    const { run, runId, tempRoot } = demo(["--json", "--wrong-key"]);

    expect(await run.exited).toBe(1);
    const summary = lastJsonLine(run.stdout()) as {
      ok: boolean;
      failedStep: number;
      steps: Array<{ step: number; ok: boolean; error?: string }>;
      pids: number[];
      serverLogTail: string;
      serviceLogTail: string;
      diagnosis: { cause: string; fix: string };
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

    // The user is told the cause and the fix, not left with log lines (those come with --verbose).
    expect(summary.diagnosis.cause).toContain("does not trust the key restate-server signs with");
    const stderr = run.stderr();
    expect(stderr).toContain("✗ Step 3 (Register the service with @restate-connect/admin-client) failed");
    expect(stderr).toContain("Cause: the service refused Restate's signed discovery request (401 bad_signature)");
    expect(stderr).toContain("Fix:   give the service the server's public key");
    expect(stderr).not.toContain("--- restate-server log (tail) ---");

    for (const pid of summary.pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(processesWithEnv(MARKER, runId)).toEqual([]);
    expect(leftovers(tempRoot)).toEqual([]);
  });
});
