import type { CheckReport } from "./report.js";

/**
 * Formats a report as a plain-text table (severity, code, statement, message) and a verdict line.
 *
 * @example
 * ```ts
 * import { checkInvokePolicy, formatReport } from "@restate-connect/lambda-invoker-role";
 *
 * const report = checkInvokePolicy({
 *   Version: "2012-10-17",
 *   Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }],
 * });
 * process.stdout.write(formatReport(report)); // ... FAILED: errors found
 * ```
 */
export function formatReport(report: CheckReport): string {
  const header = ["SEVERITY", "CODE", "STATEMENT", "MESSAGE"];
  const rows = report.findings.map((finding) => [
    finding.severity,
    finding.code,
    finding.statement ?? "-",
    finding.message,
  ]);
  // A loop, not Math.max(...rows): a policy of a few hundred thousand statements has as many
  // findings, more than a spread can pass as arguments.
  const widths = header.slice(0, 3).map((title) => title.length);
  for (const row of rows) {
    for (let column = 0; column < 3; column++) {
      widths[column] = Math.max(widths[column] as number, (row[column] as string).length);
    }
  }
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column] as number) : cell))
      .join("  ")
      .trimEnd();
  const verdict = report.ok ? "OK: no errors found" : "FAILED: errors found";
  if (rows.length === 0) return `${verdict}\n`;
  return `${[line(header), ...rows.map(line)].join("\n")}\n${verdict}\n`;
}
