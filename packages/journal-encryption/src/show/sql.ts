/**
 * SQL for Restate's admin query API (DataFusion). Every text that reaches a query — an invocation
 * id from the command line, a filter typed into the console — goes through `sqlString`.
 */
import { JournalEncryptionError } from "../errors.js";

/** The part of the admin client `show` and the console use: SQL over the introspection tables. */
export interface QueryAdmin {
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A SQL string literal. DataFusion ends a literal only at a quote, and a doubled quote is a quote
 * (backslashes are ordinary characters), so doubling quotes is the whole escape. NUL and other
 * control characters are refused: no service name, key or id contains them.
 */
export function sqlString(text: string, what: string): string {
  if (typeof text !== "string" || CONTROL.test(text)) {
    throw new JournalEncryptionError("invalid_option", `${what} must be text without control characters`);
  }
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Restate's invocation ids: `inv_`, the format version `1`, then the partition key (u64) and the
 * invocation uuid (u128) in fixed-width base62 (11 + 22 characters). The server answers a
 * malformed id with HTTP 500, so it is refused here first.
 */
export const INVOCATION_ID_PATTERN = /^inv_1[0-9A-Za-z]{33}$/;

export function checkInvocationId(id: string): string {
  if (typeof id !== "string" || !INVOCATION_ID_PATTERN.test(id)) {
    throw new JournalEncryptionError("invalid_option", "an invocation id looks like inv_1l3Hc716hrBy3V4Zg0RhObtK…");
  }
  return id;
}

/** A column the SQL API returns as hex text (binary columns), as bytes; undefined when absent. */
export function bytesFromHexColumn(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) return undefined;
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function textColumn(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

export function numberColumn(value: unknown): number | undefined {
  return typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : undefined;
}
