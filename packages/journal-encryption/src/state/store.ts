import { fromHex } from "../bytes.js";
import { JournalEncryptionError } from "../errors.js";
import type { StateAdmin } from "./admin.js";

/** One virtual object or workflow key and its stored state (values as the raw stored bytes). */
export interface StoredObject {
  readonly service: string;
  readonly objectKey: string;
  readonly state: ReadonlyMap<string, Uint8Array>;
}

/** A SQL string literal; Restate's SQL (DataFusion) escapes a quote by doubling it. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

interface StateRow {
  service_name?: unknown;
  service_key?: unknown;
  key?: unknown;
  value?: unknown;
}

function storedBytes(row: StateRow): Uint8Array {
  // The SQL API renders binary columns as hex.
  const bytes = typeof row.value === "string" ? fromHex(row.value) : undefined;
  if (bytes === undefined) {
    throw new JournalEncryptionError(
      "invalid_option",
      "admin: the SQL API returned a state value that is not hex (is it a Restate admin API?)",
    );
  }
  return bytes;
}

/** Every stored state value, grouped by object; `services` limits the scan. */
export async function readAllState(admin: StateAdmin, services?: readonly string[]): Promise<StoredObject[]> {
  const where = services && services.length > 0 ? ` WHERE service_name IN (${services.map(sqlString).join(", ")})` : "";
  const rows = await admin.query<StateRow>(`SELECT service_name, service_key, key, value FROM state${where}`);
  const objects = new Map<string, { service: string; objectKey: string; state: Map<string, Uint8Array> }>();
  for (const row of rows) {
    const service = String(row.service_name);
    const objectKey = String(row.service_key);
    const id = JSON.stringify([service, objectKey]);
    let object = objects.get(id);
    if (!object) {
      object = { service, objectKey, state: new Map() };
      objects.set(id, object);
    }
    object.state.set(String(row.key), storedBytes(row));
  }
  return [...objects.values()].sort((a, b) =>
    a.service === b.service ? (a.objectKey < b.objectKey ? -1 : 1) : a.service < b.service ? -1 : 1,
  );
}

/** The current state of one object key, read in one query. */
export async function readObjectState(
  admin: StateAdmin,
  service: string,
  objectKey: string,
): Promise<Map<string, Uint8Array>> {
  const rows = await admin.query<StateRow>(
    `SELECT key, value FROM state WHERE service_name = ${sqlString(service)} AND service_key = ${sqlString(objectKey)}`,
  );
  return new Map(rows.map((row) => [String(row.key), storedBytes(row)]));
}

/** Same keys, same bytes. */
export function sameState(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || other.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (other[i] !== value[i]) return false;
  }
  return true;
}
