/** The current state of one virtual object or workflow key (`state`, and `sys_promise` for workflows). */
import { type DescribedValue, describeValue } from "./describe-value.js";
import type { KeySource } from "./session-keys.js";
import { bytesFromHexColumn, type QueryAdmin, sqlString, textColumn } from "./sql.js";

export interface StateEntryView {
  readonly name: string;
  readonly shown: DescribedValue;
}

export interface PromiseView {
  readonly name: string;
  readonly completed: boolean;
  readonly shown: DescribedValue | undefined;
  /** A rejected promise's failure, as Restate stores it. */
  readonly failure: string | undefined;
}

export interface ObjectStateView {
  readonly service: string;
  readonly key: string;
  readonly state: readonly StateEntryView[];
  /** Durable promises of a workflow (empty for virtual objects). */
  readonly promises: readonly PromiseView[];
}

/** Reads and decrypts the state (and workflow promises) of one object key, sorted by name. */
export async function readObjectStateView(
  admin: QueryAdmin,
  service: string,
  key: string,
  keys: KeySource,
): Promise<ObjectStateView> {
  const where = `service_name = ${sqlString(service, "service name")} AND service_key = ${sqlString(key, "object key")}`;
  const stateRows = await admin.query(`SELECT key, value FROM state WHERE ${where} ORDER BY key`);
  const state: StateEntryView[] = [];
  for (const row of stateRows) {
    const bytes = bytesFromHexColumn(row.value) ?? new Uint8Array(0);
    state.push({ name: textColumn(row.key) ?? "", shown: await describeValue(bytes, keys) });
  }
  const promiseRows = await admin.query(
    `SELECT key, completed, completion_success_value, completion_failure FROM sys_promise WHERE ${where} ORDER BY key`,
  );
  const promises: PromiseView[] = [];
  for (const row of promiseRows) {
    const bytes = bytesFromHexColumn(row.completion_success_value);
    promises.push({
      name: textColumn(row.key) ?? "",
      completed: row.completed === true,
      shown: bytes === undefined ? undefined : await describeValue(bytes, keys),
      failure: textColumn(row.completion_failure),
    });
  }
  return { service, key, state, promises };
}
