import type { AdminClient } from "@restate-connect/admin-client";
import type { ManagedProcess, RestateServer } from "@restate-connect/testkit";
import type { Reporter } from "../reporter.ts";
import type { Stack } from "../stack.ts";

export interface DemoOptions {
  keepRunning: boolean;
  /** Start the service trusting a different key than the server signs with (shows a misconfiguration). */
  wrongKey: boolean;
  reporter: Reporter;
  /** Resolves when the user asks to stop (Ctrl-C); used by `--keep-running`. */
  waitForStop: () => Promise<void>;
}

/** What the steps share: the options, the stack of started things, and what earlier steps produced. */
export interface DemoContext {
  readonly options: DemoOptions;
  readonly say: Reporter;
  readonly stack: Stack;
  readonly workDir: string;
  readonly customerId: string;
  readonly paymentId: string;
  /** The local journal key (base64) and its id; written to files, never printed. */
  readonly journalKey: string;
  readonly journalKeyId: string;
  signingKeyPem: string;
  publicKey: string;
  server?: RestateServer;
  service?: ManagedProcess;
  serviceUrl: string;
  admin?: AdminClient;
  /** The receipt as the client saw it, to search Restate's storage for. */
  receiptText: string;
}

/** One numbered step of the demo. */
export interface DemoStep {
  number: number;
  name: string;
  explanation: string;
  run(context: DemoContext): Promise<Record<string, unknown>>;
}

/** The server and service started by steps 1 and 2 (a later step running without them is a bug). */
export function started(context: DemoContext): { server: RestateServer; service: ManagedProcess } {
  if (!context.server || !context.service) throw new Error("the server and the service are not running");
  return { server: context.server, service: context.service };
}
