/** Reads what restate-server stored, through its admin SQL endpoint, for marker scans. */

export async function sql(adminUrl: string, query: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`query failed (${response.status}): ${query}: ${body.slice(0, 500)}`);
  return (JSON.parse(body) as { rows: Record<string, unknown>[] }).rows;
}

/** Every base table of the public schema: state, journal, invocation status (input), promises, inbox… */
export async function dumpAllTables(adminUrl: string): Promise<Map<string, Record<string, unknown>[]>> {
  const tables = await sql(adminUrl, "SHOW TABLES");
  const out = new Map<string, Record<string, unknown>[]>();
  for (const row of tables) {
    if (row.table_schema !== "public") continue;
    const name = String(row.table_name);
    out.set(name, await sql(adminUrl, `SELECT * FROM ${name}`));
  }
  return out;
}

function hexToText(value: string): string | undefined {
  if (value.length < 2 || value.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(value)) return undefined;
  return Buffer.from(value, "hex").toString("latin1");
}

/**
 * Every way a stored value can carry text: the string itself, hex-decoded bytes, JSON nested in
 * strings, and arrays of byte numbers (how `entry_json` renders payloads).
 */
function textsOf(value: unknown, into: string[]): void {
  if (typeof value === "string") {
    into.push(value);
    const decoded = hexToText(value);
    if (decoded !== undefined) into.push(decoded);
    if (/^[[{]/.test(value)) {
      try {
        textsOf(JSON.parse(value), into);
      } catch {
        // not JSON
      }
    }
  } else if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === "number" && v >= 0 && v <= 255)) {
      into.push(Buffer.from(value as number[]).toString("latin1"));
    } else {
      for (const v of value) textsOf(v, into);
    }
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) textsOf(v, into);
  }
}

/** Table names (and a sample) where `marker` occurs in stored data, in any of the encodings above. */
export function findMarker(dump: Map<string, Record<string, unknown>[]>, marker: string): string[] {
  const hits: string[] = [];
  for (const [table, rows] of dump) {
    for (const row of rows) {
      const texts: string[] = [];
      textsOf(row, texts);
      if (texts.some((t) => t.includes(marker))) hits.push(`${table}: ${JSON.stringify(row).slice(0, 300)}`);
    }
  }
  return hits;
}

/** Polls `probe` until it returns a value other than undefined/null. */
export async function eventually<T>(probe: () => PromiseLike<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
}
