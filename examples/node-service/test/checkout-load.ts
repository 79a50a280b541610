import type { JournalCodec } from "@restate-connect/journal-encryption";
import * as clients from "@restatedev/restate-sdk-clients";
import { type Approval, type CustomerProfile, customer, payment, type Receipt } from "../src/services.ts";

/**
 * A bounded load of checkouts as a careful client sends them to a multi-node cluster: every call
 * carries an idempotency key (workflow submissions are idempotent by workflow id), checkouts are
 * spread round-robin over every node's ingress, and a failed attempt (connection refused or reset
 * by a dying node, a 5xx while a partition fails over, a 404 before a registration reached that
 * node) is retried on the next node. Used by the cluster tests and `npm run bench:cluster`.
 */
export interface CheckoutLoadOptions {
  /** Ingress URLs, one per node. Read before every attempt, so a caller may change them. */
  ingressUrls: () => readonly string[];
  /** The client's journal codec; without one, values travel in clear (the baseline). */
  codec?: JournalCodec;
  /** Checkouts to run (at most, with `keepGoing`). */
  count: number;
  /** Checked before each new checkout: once false, no new checkout starts (continuous load). */
  keepGoing?: () => boolean;
  /** Pause of each worker between two checkouts, ms (a steady load for as long as `keepGoing`). Default 0. */
  pauseMs?: number;
  /** How many run at the same time. */
  concurrency: number;
  /** Makes customer and payment ids unique to this run. */
  runId: string;
  /** A string put into every customer's name and every description, to search for in stored bytes. */
  marker: string;
  /** Called each time a checkout completed, with the number completed so far. */
  onProgress?: (completed: number) => void;
  /** Attempts per call before the checkout counts as failed. Default 40 (with backoff, about a minute). */
  maxAttempts?: number;
}

export interface CheckoutOutcome {
  index: number;
  customerId: string;
  paymentId: string;
  profile: CustomerProfile;
  amountCents: number;
  description: string;
  receipt?: Receipt;
  error?: string;
  /** Wall time of the whole checkout (four ingress calls), ms. */
  latencyMs: number;
}

export interface CheckoutLoadReport {
  sent: number;
  completed: number;
  failed: number;
  /** Attempts the client repeated (on the next node) after a failed one. */
  clientRetries: number;
  /** Why attempts failed, with how often (to report what a node loss looks like to a client). */
  retryReasons: Record<string, number>;
  outcomes: CheckoutOutcome[];
  elapsedMs: number;
}

/** A 16-digit card number unique to checkout `index` of run `runId`. */
export function cardNumberFor(runId: string, index: number): string {
  const digits = runId.replace(/\D/g, "").padEnd(6, "7").slice(0, 6);
  return `4${digits}${String(index).padStart(9, "0")}`;
}

export async function runCheckoutLoad(options: CheckoutLoadOptions): Promise<CheckoutLoadReport> {
  const maxAttempts = options.maxAttempts ?? 40;
  const connections = new Map<string, clients.Ingress>();
  const connect = (url: string) => {
    let ingress = connections.get(url);
    if (ingress === undefined) {
      ingress = clients.connect({ url, ...(options.codec ? { journalValueCodec: options.codec } : {}) });
      connections.set(url, ingress);
    }
    return ingress;
  };
  let clientRetries = 0;
  const retryReasons: Record<string, number> = {};
  let completed = 0;

  async function call<T>(index: number, step: string, fn: (ingress: clients.Ingress) => PromiseLike<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const urls = options.ingressUrls();
      const url = urls[(index + attempt) % urls.length] as string;
      try {
        return await withinTime(fn(connect(url)), CALL_TIMEOUT_MS, step);
      } catch (error) {
        if (attempt + 1 >= maxAttempts) throw new Error(`${step} failed ${maxAttempts} times: ${describe(error)}`);
        clientRetries++;
        const reason = `${step}: ${describe(error)}`;
        retryReasons[reason] = (retryReasons[reason] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * (attempt + 1), 1500)));
      }
    }
  }

  async function checkout(index: number): Promise<CheckoutOutcome> {
    const customerId = `c-${options.runId}-${index}`;
    const paymentId = `p-${options.runId}-${index}`;
    const profile: CustomerProfile = {
      name: `Customer ${index} ${options.marker}`,
      email: `customer${index}@example.com`,
      cardNumber: cardNumberFor(options.runId, index),
    };
    const amountCents = 100 + index;
    const description = `order ${index} ${options.marker}`;
    const started = performance.now();
    const outcome: CheckoutOutcome = { index, customerId, paymentId, profile, amountCents, description, latencyMs: 0 };
    const opts = <I, O>(key: string) =>
      clients.rpc.opts<I, O>({ idempotencyKey: `${key}-${options.runId}-${index}`, timeout: 15_000 });
    try {
      await call(index, "saveProfile", (ingress) =>
        ingress.objectClient(customer, customerId).saveProfile(profile, opts<CustomerProfile, string>("profile")),
      );
      await call(index, "workflowSubmit", (ingress) =>
        ingress.workflowClient(payment, paymentId).workflowSubmit({ customerId, amountCents, description }),
      );
      await call(index, "approve", (ingress) =>
        ingress
          .workflowClient(payment, paymentId)
          .approve({ approvedBy: profile.email, code: String(100000 + index) }, opts<Approval, void>("approve")),
      );
      outcome.receipt = await call(index, "workflowAttach", (ingress) =>
        ingress.workflowClient(payment, paymentId).workflowAttach(),
      );
      completed++;
      options.onProgress?.(completed);
    } catch (error) {
      outcome.error = describe(error);
    }
    outcome.latencyMs = performance.now() - started;
    return outcome;
  }

  const started = performance.now();
  const outcomes: CheckoutOutcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.count) }, async () => {
      while (next < options.count && (options.keepGoing?.() ?? true)) {
        outcomes.push(await checkout(next++));
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    }),
  );
  outcomes.sort((a, b) => a.index - b.index);
  return {
    sent: outcomes.length,
    completed,
    failed: outcomes.filter((o) => o.error !== undefined).length,
    clientRetries,
    retryReasons,
    outcomes,
    elapsedMs: performance.now() - started,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error ? ` (${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message})` : "";
  const status = (error as { status?: unknown }).status;
  return `${typeof status === "number" ? `HTTP ${status} ` : ""}${error.message.slice(0, 120)}${cause}`;
}

/**
 * A request that hangs (a connection to a node that died mid-request, an attach whose node is being
 * restarted) is abandoned and retried on the next node, which idempotency keys and workflow ids make
 * safe; without this one stuck call would stall the whole load.
 */
const CALL_TIMEOUT_MS = 20_000;

function withinTime<T>(work: PromiseLike<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([Promise.resolve(work), timeout]).finally(() => clearTimeout(timer));
}
