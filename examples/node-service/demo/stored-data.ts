import type { AdminClient } from "@restate-connect/admin-client";

/** One stored binary value as Restate's SQL introspection returns it (hex), decoded. */
export interface StoredValue {
  table: string;
  /** e.g. `customer/ada · state profile` or `payment/pay-1 · journal #3 Command: Run`. */
  label: string;
  bytes: Uint8Array;
}

export interface PlaintextHit {
  marker: string;
  label: string;
}

/** Decodes the hex text the admin SQL endpoint uses for binary columns. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error("expected an even-length hex string");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/**
 * A short preview of a stored value, as the demo prints it: hex of the first and last bytes (the head
 * is the envelope header, the same for values sealed under one data key; the tail is ciphertext and
 * GCM tag) and base64 of the tail.
 */
export function preview(bytes: Uint8Array, edge = 12): { hex: string; base64: string; size: number } {
  const all = Buffer.from(bytes);
  if (all.length <= edge * 2) return { hex: all.toString("hex"), base64: all.toString("base64"), size: all.length };
  const head = all.subarray(0, edge).toString("hex");
  const tail = all.subarray(all.length - edge);
  return { hex: `${head}…${tail.toString("hex")}`, base64: `…${tail.toString("base64")}`, size: all.length };
}

/** Every place where one of `markers` (as UTF-8 bytes) occurs in one of `values`. */
export function findPlaintext(values: readonly StoredValue[], markers: readonly string[]): PlaintextHit[] {
  const hits: PlaintextHit[] = [];
  for (const marker of markers) {
    const needle = Buffer.from(marker, "utf8");
    for (const value of values) {
      if (Buffer.from(value.bytes).includes(needle)) hits.push({ marker, label: value.label });
    }
  }
  return hits;
}

/** SQL string literal: the demo's keys are its own, but quote them properly anyway. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

interface StateRow {
  service_name: string;
  service_key: string;
  key: string;
  value: string;
}
interface InvocationRow {
  id: string;
  target: string;
}
interface JournalRow {
  id: string;
  index: number;
  entry_type: string;
  raw: string;
}
interface PromiseRow {
  service_name: string;
  service_key: string;
  key: string;
  completion_success_value: string | null;
}

export interface StoredData {
  values: StoredValue[];
  /** The raw JSON text of every answer, to check that no column (e.g. `value_utf8`) shows plaintext. */
  responseText: string;
  counts: { state: number; journal: number; promises: number; invocations: number };
}

/**
 * Reads what Restate stored for the given object/workflow keys: state values (`state`), the journal
 * entries of every invocation on those keys (`sys_journal.raw`, which holds inputs, outputs, `ctx.run`
 * results and call parameters) and workflow promise results (`sys_promise`).
 */
export async function readStoredData(admin: AdminClient, serviceKeys: readonly string[]): Promise<StoredData> {
  const keys = serviceKeys.map(sqlString).join(", ");
  const state = await admin.query<StateRow & Record<string, unknown>>(
    `SELECT * FROM state WHERE service_key IN (${keys})`,
  );
  const invocations = await admin.query<InvocationRow>(
    `SELECT id, target FROM sys_invocation WHERE target_service_key IN (${keys})`,
  );
  const ids = invocations.map((row) => sqlString(row.id)).join(", ");
  const journal =
    invocations.length === 0
      ? []
      : await admin.query<JournalRow & Record<string, unknown>>(
          `SELECT * FROM sys_journal WHERE id IN (${ids}) ORDER BY id, index`,
        );
  const promises = await admin.query<PromiseRow & Record<string, unknown>>(
    `SELECT * FROM sys_promise WHERE service_key IN (${keys})`,
  );
  const targets = new Map(invocations.map((row) => [row.id, row.target]));
  const values: StoredValue[] = [
    ...state.map((row) => ({
      table: "state",
      label: `${row.service_name}/${row.service_key} · state "${row.key}"`,
      bytes: hexToBytes(row.value),
    })),
    ...journal.map((row) => ({
      table: "sys_journal",
      label: `${targets.get(row.id) ?? row.id} · journal #${row.index} ${row.entry_type}`,
      bytes: hexToBytes(row.raw),
    })),
    ...promises
      .filter((row) => row.completion_success_value !== null)
      .map((row) => ({
        table: "sys_promise",
        label: `${row.service_name}/${row.service_key} · promise "${row.key}"`,
        bytes: hexToBytes(row.completion_success_value ?? ""),
      })),
  ];
  return {
    values,
    responseText: JSON.stringify([state, invocations, journal, promises]),
    counts: {
      state: state.length,
      journal: journal.length,
      promises: promises.length,
      invocations: invocations.length,
    },
  };
}
