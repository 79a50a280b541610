const UNIT_MS: Record<string, number> = {
  w: 604_800_000,
  wk: 604_800_000,
  wks: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
};

/**
 * Milliseconds of a duration in one of the forms Restate's admin API accepts and returns: the
 * "friendly" form (`1d`, `5 hours`, `1h 30m`, `2days 3h`, `500ms`) or ISO 8601 (`PT30M`, `P1D`,
 * `P1DT2H`). Calendar units (years, months) are not accepted: their length is not fixed.
 * Returns undefined for anything else.
 */
export function parseRestateDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(trimmed);
  if (iso) {
    if (/T$/i.test(trimmed) || trimmed.length === 1) return undefined;
    const [, w, d, h, m, s] = iso;
    return (
      Number(w ?? 0) * 604_800_000 +
      Number(d ?? 0) * 86_400_000 +
      Number(h ?? 0) * 3_600_000 +
      Number(m ?? 0) * 60_000 +
      Math.round(Number(s ?? 0) * 1000)
    );
  }
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/giy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    const factor = UNIT_MS[(match[2] as string).toLowerCase()];
    if (factor === undefined) return undefined;
    total += Number(match[1]) * factor;
    consumed = part.lastIndex;
  }
  if (consumed !== trimmed.length || consumed === 0) return undefined;
  return Math.round(total);
}
