/**
 * Rewrites stored state values in place, one object at a time, without ever losing a write.
 *
 * Restate's modify-state replaces an object's whole state and, given the version the change was
 * computed from, applies it only if the state is still at that version. restate-server 1.7 answers
 * 202 either way and silently drops a stale change, and a change waits behind any invocation that
 * holds the object. So every change is read back: the object is done when its state equals what was
 * sent; any other state means a writer got there first, and the object is read again and retried.
 * A change still queued when we give up can only ever apply to the exact state it was computed
 * from, so nothing a writer wrote is overwritten, whenever it lands.
 */
import type { StateAdmin } from "./admin.js";
import { readAllState, readObjectState, type StoredObject, sameState } from "./store.js";
import { stateVersion, versionIsAmbiguous } from "./version.js";

/** Where one value lives. */
export interface ValueLocation {
  readonly service: string;
  readonly objectKey: string;
  readonly stateKey: string;
}

/** What became of one object. */
export type ObjectOutcome =
  | "unchanged" // nothing to rewrite
  | "rewritten" // the change was read back
  | "would-rewrite" // dry run
  | "pending" // not confirmed: queued behind an invocation, or overtaken on every attempt
  | "failed"; // some values could not be transformed; the rest were rewritten

export type RewriteEvent =
  | {
      type: "object";
      service: string;
      objectKey: string;
      outcome: ObjectOutcome;
      values: number;
      attempts: number;
      /** Why an object is pending. */
      reason?: "queued" | "contended";
    }
  | { type: "conflict"; service: string; objectKey: string; attempt: number }
  /** Every 100 objects, and once at the end. */
  | { type: "progress"; objectsDone: number; objectsTotal: number }
  | { type: "value-failed"; location: ValueLocation; code: string; message: string };

export interface RewriteOptions {
  admin: StateAdmin;
  /** Does this stored value need rewriting? Must not need keys: it also drives `dryRun`. */
  select(value: Uint8Array, location: ValueLocation): boolean;
  /**
   * The new stored bytes of a selected value, or undefined to leave it (a closer look showed it
   * needs nothing). A throw leaves that value as it is, reported in `failures`.
   */
  transform(value: Uint8Array, location: ValueLocation): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  /** Only these services (default: every service with state). */
  services?: readonly string[];
  /** Count what would change; change nothing. Default false. */
  dryRun?: boolean;
  /** Tries per object before it is reported pending (contended). Default 500 (under a minute on a busy object). */
  maxAttempts?: number;
  /**
   * How long to wait for a change to show. A change that has not shown by then is queued behind an
   * invocation that holds the object (e.g. one suspended on an awakeable): it is left queued — it
   * applies when that invocation ends, if the state is still as it was read — and the object is
   * reported pending. Default 10 000 ms.
   */
  confirmTimeoutMs?: number;
  /** Objects worked on at once. Default 4. */
  concurrency?: number;
  onEvent?: (event: RewriteEvent) => void;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

export interface RewriteReport {
  dryRun: boolean;
  objectsScanned: number;
  valuesScanned: number;
  /** Values whose rewrite was read back from Restate (or, in a dry run, would be rewritten). */
  valuesRewritten: number;
  objectsRewritten: number;
  /** Attempts that found the object changed under them (or the change not yet applied) and retried. */
  conflictsRetried: number;
  /** Objects whose change could not be confirmed: re-run later to confirm or finish them. */
  pending: { service: string; objectKey: string; reason: "queued" | "contended" }[];
  /**
   * Values that could not be transformed, left as they are; `stateKey` `*` is a whole object the
   * admin API refused (say, a service that is no longer registered).
   */
  failures: (ValueLocation & { code: string; message: string })[];
}

/** A state we sent, and the keys whose values we rewrote in it. */
interface Sent {
  readonly state: ReadonlyMap<string, Uint8Array>;
  readonly keys: readonly string[];
}

/**
 * Whether a state holds bytes that only we wrote: freshly sealed values are unique (random data
 * key and nonce), so finding one means that change applied even if a writer has written since.
 */
function holdsOurs(current: ReadonlyMap<string, Uint8Array>, sent: readonly Sent[]): boolean {
  return sent.some(({ state, keys }) =>
    keys.some((key) => {
      const ours = state.get(key);
      const now = current.get(key);
      return ours !== undefined && now !== undefined && sameState(new Map([[key, ours]]), new Map([[key, now]]));
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorFacts(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown })?.code;
  return {
    code: typeof code === "string" ? code : "error",
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Runs `select`/`transform` over every stored value and writes changed objects back, confirmed. */
export async function rewriteState(options: RewriteOptions): Promise<RewriteReport> {
  const { admin } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 500;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
  const emit = (event: RewriteEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // progress reporting must not break the rewrite
    }
  };
  const report: RewriteReport = {
    dryRun: options.dryRun === true,
    objectsScanned: 0,
    valuesScanned: 0,
    valuesRewritten: 0,
    objectsRewritten: 0,
    conflictsRetried: 0,
    pending: [],
    failures: [],
  };

  const objects = await readAllState(admin, options.services);
  report.objectsScanned = objects.length;
  for (const object of objects) report.valuesScanned += object.state.size;

  /** Waits until the object's state is no longer `before`; says whether it is one we sent. */
  async function confirm(
    object: StoredObject,
    before: ReadonlyMap<string, Uint8Array>,
    sent: readonly Sent[],
  ): Promise<{ outcome: "applied" | "changed" | "not-applied-yet"; current: ReadonlyMap<string, Uint8Array> }> {
    const deadline = now() + confirmTimeoutMs;
    let delay = 20;
    for (;;) {
      const current = await readObjectState(admin, object.service, object.objectKey);
      if (sent.some(({ state }) => sameState(state, current))) return { outcome: "applied", current };
      if (!sameState(current, before)) return { outcome: "changed", current };
      if (now() >= deadline) return { outcome: "not-applied-yet", current };
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }

  async function rewriteObject(object: StoredObject): Promise<void> {
    const sent: Sent[] = [];
    let counted = false;
    let valuesDone = 0;
    let state: ReadonlyMap<string, Uint8Array> = object.state;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) state = await readObjectState(admin, object.service, object.objectKey);
      const selected = [...state].filter(([stateKey, value]) =>
        options.select(value, { service: object.service, objectKey: object.objectKey, stateKey }),
      );
      const done = (outcome: ObjectOutcome, values: number) =>
        emit({
          type: "object",
          service: object.service,
          objectKey: object.objectKey,
          outcome,
          values,
          attempts: attempt,
        });
      if (selected.length === 0) return done(attempt === 1 ? "unchanged" : "rewritten", valuesDone);
      if (versionIsAmbiguous(state)) {
        const failure = {
          service: object.service,
          objectKey: object.objectKey,
          stateKey: "*",
          code: "ambiguous_state_version",
          message:
            "a stored key or value embeds the encoding of further state entries, so another state could share this one's version: left as it is",
        };
        report.failures.push(failure);
        emit({ type: "value-failed", location: failure, code: failure.code, message: failure.message });
        return done("failed", valuesDone);
      }
      if (report.dryRun) {
        report.valuesRewritten += selected.length;
        report.objectsRewritten++;
        return done("would-rewrite", selected.length);
      }

      const next = new Map(state);
      const failed: (ValueLocation & { code: string; message: string })[] = [];
      const keys: string[] = [];
      let changed = 0;
      for (const [stateKey, value] of selected) {
        const location = { service: object.service, objectKey: object.objectKey, stateKey };
        try {
          const rewritten = await options.transform(value, location);
          if (rewritten !== undefined) {
            next.set(stateKey, rewritten);
            keys.push(stateKey);
            changed++;
          }
        } catch (error) {
          failed.push({ ...location, ...errorFacts(error) });
        }
      }
      const finish = () => {
        for (const failure of failed) {
          report.failures.push(failure);
          emit({ type: "value-failed", location: failure, code: failure.code, message: failure.message });
        }
      };
      if (changed === 0) {
        finish();
        return done(failed.length > 0 ? "failed" : "unchanged", 0);
      }

      const version = await stateVersion(state);
      await admin.services.modifyState(object.service, {
        objectKey: object.objectKey,
        newState: Object.fromEntries(next),
        version,
      });
      sent.push({ state: next, keys });
      const { outcome, current } = await confirm(object, state, sent);
      if (outcome === "applied") {
        report.valuesRewritten += changed;
        if (!counted) report.objectsRewritten++;
        finish();
        return done(failed.length > 0 ? "failed" : "rewritten", valuesDone + changed);
      }
      if (outcome === "changed" && holdsOurs(current, sent)) {
        // Our change applied and a writer has written since: count it, then look again for the rest.
        report.valuesRewritten += changed;
        if (!counted) report.objectsRewritten++;
        counted = true;
        valuesDone += changed;
        sent.length = 0;
        continue;
      }
      if (outcome === "not-applied-yet") {
        // Queued behind an invocation that holds the object: another send would only queue beside it.
        return pendingObject("queued", attempt);
      }
      report.conflictsRetried++;
      emit({ type: "conflict", service: object.service, objectKey: object.objectKey, attempt });
      // The state just changed: a writer has just finished, so try again at once (a short random
      // pause keeps two tools, or two attempts on a busy object, from moving in lockstep).
      await sleep(Math.random() * 40);
    }
    return pendingObject("contended", maxAttempts);

    function pendingObject(reason: "queued" | "contended", attempts: number): void {
      report.pending.push({ service: object.service, objectKey: object.objectKey, reason });
      emit({
        type: "object",
        service: object.service,
        objectKey: object.objectKey,
        outcome: "pending",
        values: 0,
        attempts,
        reason,
      });
    }
  }

  const queue = [...objects];
  let objectsDone = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length)) }, async () => {
    for (let object = queue.shift(); object !== undefined; object = queue.shift()) {
      try {
        await rewriteObject(object);
        objectsDone++;
        if (objectsDone % 100 === 0 && objectsDone < objects.length) {
          emit({ type: "progress", objectsDone, objectsTotal: objects.length });
        }
      } catch (error) {
        objectsDone++;
        // The admin API refused this object (e.g. its service is no longer registered): report it
        // and go on with the others. Its values are as they were, or as a confirmed change left them.
        const failure = { service: object.service, objectKey: object.objectKey, stateKey: "*", ...errorFacts(error) };
        report.failures.push(failure);
        emit({ type: "value-failed", location: failure, code: failure.code, message: failure.message });
      }
    }
  });
  await Promise.all(workers);
  emit({ type: "progress", objectsDone, objectsTotal: objects.length });
  return report;
}
