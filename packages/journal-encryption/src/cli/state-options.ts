import { type CommandContext, type OptionsSpec, parseFlag } from "@restate-connect/cli-kit";
import type { RewriteEvent, RewriteReport } from "../state/rewrite.js";
import { ADMIN_OPTIONS } from "./admin.js";

/** Options every stored-state command takes besides the keys. */
export const STATE_OPTIONS: OptionsSpec = {
  ...ADMIN_OPTIONS,
  service: {
    type: "string",
    multiple: true,
    value: "<name>",
    description: "Only this service (default: all with state)",
  },
};

/** Options of the commands that write state back. */
export const REWRITE_OPTIONS: OptionsSpec = {
  "dry-run": { type: "boolean", description: "Count what would change; change nothing" },
  wait: {
    type: "string",
    value: "<seconds>",
    description: "How long to wait for each change to show before calling it queued (default 10)",
  },
};

/** `--wait` in milliseconds. */
export function waitMs(context: CommandContext): number {
  const raw = context.flags.string("wait");
  if (raw === undefined) return 10_000;
  return parseFlag("wait", () => {
    const seconds = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || seconds <= 0 || seconds > 3600) {
      throw new RangeError("must be a number of seconds between 0 and 3600");
    }
    return Math.round(seconds * 1000);
  });
}

/** Progress lines on stderr, one per object changed, retried or left pending. */
export function progressPrinter(context: CommandContext, verb: string): (event: RewriteEvent) => void {
  return (event) => {
    if (event.type === "progress") {
      context.progress(`${context.command}: ${event.objectsDone} of ${event.objectsTotal} objects done`);
      return;
    }
    const where = event.type === "value-failed" ? event.location : event;
    const name = `${where.service}/${where.objectKey}`;
    if (event.type === "conflict") {
      context.progress(
        `${context.command}: ${name}: changed while being rewritten; retrying (attempt ${event.attempt + 1})`,
      );
    } else if (event.type === "value-failed") {
      context.progress(
        `${context.command}: ${name} [${event.location.stateKey}]: left as is: ${event.code}: ${event.message}`,
      );
    } else if (event.outcome === "rewritten" && event.values > 0) {
      context.progress(`${context.command}: ${name}: ${event.values} value(s) ${verb}`);
    } else if (event.outcome === "would-rewrite") {
      context.progress(`${context.command}: ${name}: ${event.values} value(s) would be ${verb}`);
    } else if (event.outcome === "pending") {
      context.progress(
        event.reason === "queued"
          ? `${context.command}: ${name}: change queued behind an invocation that holds the object; it applies when that ends if nothing changes the state first — run again to confirm`
          : `${context.command}: ${name}: overtaken by writers on all ${event.attempts} attempts; run again`,
      );
    }
  };
}

/** Prints the summary (or the report as JSON) and returns the exit code: 1 when anything is left. */
export function printRewriteReport(context: CommandContext, report: RewriteReport, verb: string): number {
  context.print(
    () =>
      [
        `${context.command}${report.dryRun ? " (dry run)" : ""}: ${report.objectsScanned} objects, ${report.valuesScanned} values scanned`,
        `  values ${report.dryRun ? `that would be ${verb}` : verb}: ${report.valuesRewritten} in ${report.objectsRewritten} objects`,
        `  conflicts retried: ${report.conflictsRetried}`,
        `  objects pending: ${report.pending.length}${report.pending.length > 0 ? " (run again: their change was not confirmed)" : ""}`,
        `  values left as they were after errors: ${report.failures.length}`,
      ].join("\n"),
    report,
  );
  return report.pending.length > 0 || report.failures.length > 0 ? 1 : 0;
}
