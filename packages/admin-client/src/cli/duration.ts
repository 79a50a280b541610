/**
 * Parses CLI durations: `500ms`, `60s`, `2m`, `1h`, or a bare number of seconds. Returns milliseconds,
 * or `undefined` when the text is not a duration of at most 24 days.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  const ms = Math.round(value * factor);
  // Beyond ~24.8 days a timer fires at once: "1000h" would make every request time out immediately.
  return ms > 0 && ms <= 2_147_483_647 ? ms : undefined;
}
