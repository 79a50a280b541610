import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Diagnosis, diagnose } from "./diagnose.ts";
import { printKeepRunning } from "./keep-running.ts";
import { tail } from "./service-events.ts";
import type { Stack } from "./stack.ts";
import { attacks } from "./steps/attacks.ts";
import { checkout } from "./steps/checkout.ts";
import type { DemoContext, DemoOptions, DemoStep } from "./steps/context.ts";
import { register } from "./steps/register.ts";
import { startServer } from "./steps/start-server.ts";
import { startService } from "./steps/start-service.ts";
import { stop } from "./steps/stop.ts";
import { stored } from "./steps/stored.ts";

export type { DemoOptions } from "./steps/context.ts";

export interface StepOutcome {
  step: number;
  name: string;
  ok: boolean;
  durationMs: number;
  details?: Record<string, unknown>;
  error?: string;
}

export interface DemoSummary {
  ok: boolean;
  durationMs: number;
  steps: StepOutcome[];
  /** Every process the demo started, and every temporary directory it created. */
  pids: number[];
  tempDirs: string[];
  failedStep?: number;
  /** The known cause of a failure and what to do about it. */
  diagnosis?: Diagnosis;
  serverLogTail?: string;
  serviceLogTail?: string;
}

/** Steps 1–6; step 7 (stop) runs after them, or after `--keep-running` is ended. */
const STEPS: readonly DemoStep[] = [startServer, startService, register, checkout, stored, attacks];

/** Runs steps 1–7. Never throws: failures are reported in the summary (and everything is stopped). */
export async function runDemo(options: DemoOptions, stack: Stack): Promise<DemoSummary> {
  const started = Date.now();
  const steps: StepOutcome[] = [];
  const context: DemoContext = {
    options,
    say: options.reporter,
    stack,
    workDir: mkdtempSync(join(tmpdir(), "restate-connect-demo-")),
    customerId: `ada-${randomBytes(3).toString("hex")}`,
    paymentId: `pay-${randomBytes(4).toString("hex")}`,
    journalKey: randomBytes(32).toString("base64"),
    journalKeyId: "demo-1",
    signingKeyPem: "",
    publicKey: "",
    serviceUrl: "",
    receiptText: "",
  };
  stack.addTempDir(context.workDir);

  const run = async (step: DemoStep): Promise<boolean> => {
    context.say.step(step.number, step.name, step.explanation);
    const stepStarted = Date.now();
    try {
      const details = await step.run(context);
      steps.push({ step: step.number, name: step.name, ok: true, durationMs: Date.now() - stepStarted, details });
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      steps.push({
        step: step.number,
        name: step.name,
        ok: false,
        durationMs: Date.now() - stepStarted,
        error: message,
      });
      return false;
    }
  };

  let ok = true;
  for (const step of STEPS) {
    ok = await run(step);
    if (!ok) break;
  }
  if (ok && options.keepRunning && context.server) {
    printKeepRunning(context.say, {
      server: context.server,
      serviceUrl: context.serviceUrl,
      workDir: context.workDir,
      journalKey: context.journalKey,
      journalKeyId: context.journalKeyId,
      signingKeyPem: context.signingKeyPem,
    });
    await options.waitForStop();
  }
  if (ok) ok = await run(stop);
  if (ok) return { ok, durationMs: Date.now() - started, steps, pids: [...stack.pids], tempDirs: [...stack.tempDirs] };

  const failed = steps.find((step) => !step.ok);
  const serverLogTail = context.server ? tail(context.server.logs()) : undefined;
  const serviceLogTail = context.service ? tail(context.service.logs()) : undefined;
  const diagnosis = diagnose(failed, { server: serverLogTail, service: serviceLogTail });
  await stack.stopAll();
  return {
    ok: false,
    durationMs: Date.now() - started,
    steps,
    pids: [...stack.pids],
    tempDirs: [...stack.tempDirs],
    ...(failed ? { failedStep: failed.step } : {}),
    ...(diagnosis ? { diagnosis } : {}),
    ...(serverLogTail === undefined ? {} : { serverLogTail }),
    ...(serviceLogTail === undefined ? {} : { serviceLogTail }),
  };
}
