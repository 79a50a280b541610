/** The human output of `restate-journal show`: plain text, every stored string made terminal-safe. */
import { type DescribedValue, describeReason } from "./describe-value.js";
import type { JournalEntryView } from "./journal.js";
import type { ObjectStateView } from "./object-state.js";
import { safeText } from "./render-value.js";
import type { InvocationReport } from "./show-invocation.js";

function indent(text: string, by: string): string {
  return text.split("\n").join(`\n${by}`);
}

/** One value as `label: …` lines. */
export function formatValue(label: string, shown: DescribedValue | undefined, by: string): string {
  if (shown === undefined) return `${by}${label}: (none)`;
  if (shown.state === "unreadable") {
    const key = shown.keyId
      ? ` (${shown.provider} key ${safeText(shown.keyId)})`
      : shown.provider
        ? ` (${shown.provider})`
        : "";
    return `${by}${label}: cannot decrypt [${shown.reason}]: ${safeText(shown.message ?? describeReason(shown.reason))}${key}`;
  }
  const rendered = shown.value.as === "empty" ? "(empty)" : shown.value.text;
  const flag = shown.state === "plaintext" ? " [PLAINTEXT: stored unencrypted]" : "";
  const as = shown.value.as === "hex" ? " (hex)" : "";
  // A multi-line value (pretty JSON) starts on its own line, indented as a block.
  if (rendered.includes("\n")) return `${by}${label}${flag}${as}:\n${by}  ${indent(rendered, `${by}  `)}`;
  return `${by}${label}${flag}${as}: ${rendered}`;
}

function formatEntry(entry: JournalEntryView): string {
  const lines = [
    `  #${entry.index} ${safeText(entry.type)}${entry.name ? ` "${safeText(entry.name)}"` : ""}${entry.detail ? ` → ${safeText(entry.detail)}` : ""}${entry.appendedAt ? `  (${entry.appendedAt})` : ""}`,
  ];
  for (const value of entry.values) lines.push(formatValue(value.label, value.shown, "      "));
  if (entry.failure) {
    lines.push(
      `      failure${entry.failure.code === undefined ? "" : ` [${entry.failure.code}]`}: ${safeText(entry.failure.message)} (stored as sent: the codec does not encode failures)`,
    );
  }
  return lines.join("\n");
}

/** The state (and workflow promises) of one object key. */
export function formatObjectState(view: ObjectStateView): string {
  const lines = [`State of ${safeText(view.service)}/${safeText(view.key)} (${view.state.length} values)`];
  for (const entry of view.state) lines.push(formatValue(safeText(entry.name), entry.shown, "  "));
  for (const promise of view.promises) {
    const label = `promise ${safeText(promise.name)}`;
    if (promise.failure) lines.push(`  ${label}: rejected: ${safeText(promise.failure)}`);
    else if (!promise.completed) lines.push(`  ${label}: (not completed)`);
    else lines.push(formatValue(label, promise.shown, "  "));
  }
  return lines.join("\n");
}

/** The whole report of `show`, as the terminal prints it. */
export function formatInvocationReport(report: InvocationReport): string {
  const inv = report.invocation;
  const outcome = inv.completionResult ? ` (${inv.completionResult})` : "";
  const lines = [
    `Invocation ${inv.id}`,
    `  target:  ${safeText(inv.target)}`,
    `  status:  ${safeText(inv.status)}${outcome}`,
  ];
  if (inv.createdAt) lines.push(`  created: ${inv.createdAt}`);
  if (inv.completedAt) lines.push(`  completed: ${inv.completedAt}`);
  if (inv.completionFailure) lines.push(`  failure: ${safeText(inv.completionFailure)}`);
  if (inv.lastFailure && inv.status !== "completed") {
    lines.push(`  last failure (attempt ${inv.retryCount ?? "?"}): ${safeText(inv.lastFailure)}`);
  }
  if (inv.invokedByTarget) lines.push(`  invoked by: ${safeText(inv.invokedByTarget)}`);
  lines.push("", `Journal (${report.journal.length} entries)`);
  if (report.journal.length === 0) lines.push("  (none kept: Restate removes a journal when its retention ends)");
  for (const entry of report.journal) lines.push(formatEntry(entry));
  if (report.state) lines.push("", formatObjectState(report.state));
  return lines.join("\n");
}
