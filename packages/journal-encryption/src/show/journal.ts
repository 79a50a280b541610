/** One invocation's journal (`sys_journal`), every value in it decrypted or explained. */
import { JournalEncryptionError } from "../errors.js";
import { type DescribedValue, describeValue } from "./describe-value.js";
import { type LocatedValue, valuesInEntryJson, valuesInRawEntry } from "./find-values.js";
import type { KeySource } from "./session-keys.js";
import { bytesFromHexColumn, checkInvocationId, numberColumn, type QueryAdmin, sqlString, textColumn } from "./sql.js";

/** One value of a journal entry. */
export interface JournalValue {
  /** `input`, `output`, `state value`, `parameter` or `result`. */
  readonly label: string;
  /** Where it sits in the entry (`Command.Input.payload`, or protobuf field numbers for raw-only entries). */
  readonly path: string;
  readonly shown: DescribedValue;
}

/** A failure recorded in an entry; Restate stores failures as sent (the codec does not encode them). */
export interface JournalFailure {
  readonly code: number | undefined;
  readonly message: string;
}

export interface JournalEntryView {
  readonly index: number;
  /** As Restate names it: `Command: Input`, `Command: Run`, `Notification: Call`, … */
  readonly type: string;
  /** The name given to the entry (`ctx.run("name", …)`), if any. */
  readonly name: string | undefined;
  /** When the entry was appended (journal version 2). */
  readonly appendedAt: string | undefined;
  /** `Object/key/handler` a call or send targets, or the state key a state command touches. */
  readonly detail: string | undefined;
  readonly values: readonly JournalValue[];
  readonly failure: JournalFailure | undefined;
}

function labelOf(path: string): string {
  if (path.endsWith(".payload")) return "input";
  if (path.startsWith("Command.Output.")) return "output";
  if (path.endsWith(".parameter")) return "parameter";
  if (path.startsWith("Command.SetState.")) return "state value";
  if (path.endsWith(".Success")) return "result";
  return "value";
}

function findFailure(node: unknown, depth = 0): JournalFailure | undefined {
  if (depth > 16 || node === null || typeof node !== "object") return undefined;
  for (const [key, child] of Object.entries(node)) {
    if (key === "Failure" && child !== null && typeof child === "object" && "message" in child) {
      const failure = child as { code?: unknown; message?: unknown };
      return { code: numberColumn(failure.code), message: String(failure.message) };
    }
    const nested = findFailure(child, depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

function detailOf(entry: unknown, row: Record<string, unknown>): string | undefined {
  const invoked = textColumn(row.invoked_target);
  if (invoked) return invoked;
  const promise = textColumn(row.promise_name);
  if (promise) return `promise ${promise}`;
  const command = (entry as { Command?: Record<string, { key?: unknown; request?: { invocation_target?: unknown } }> })
    ?.Command;
  if (command) {
    for (const [kind, body] of Object.entries(command)) {
      if (typeof body?.key === "string")
        return `${kind === "GetPromise" || kind === "PeekPromise" || kind === "CompletePromise" ? "promise" : "key"} ${body.key}`;
      const target = body?.request?.invocation_target as Record<
        string,
        { name?: string; key?: string; handler?: string }
      >;
      const described = target && Object.values(target)[0];
      if (described?.name) return [described.name, described.key, described.handler].filter(Boolean).join("/");
    }
  }
  return undefined;
}

/** A window of a journal: entries from index `from` on, at most `limit` of them. */
export interface JournalRange {
  readonly from: number;
  readonly limit: number;
}

/** Reads and decrypts the journal of one invocation (or a window of it), in index order. */
export async function readJournal(
  admin: QueryAdmin,
  invocationId: string,
  keys: KeySource,
  range?: JournalRange,
): Promise<JournalEntryView[]> {
  const id = checkInvocationId(invocationId);
  const window =
    range === undefined
      ? ""
      : (() => {
          if (
            !Number.isSafeInteger(range.from) ||
            range.from < 0 ||
            !Number.isSafeInteger(range.limit) ||
            range.limit < 1
          ) {
            throw new JournalEncryptionError("invalid_option", "a journal range is a from ≥ 0 and a limit ≥ 1");
          }
          return ` AND index >= ${range.from}`;
        })();
  const rows = await admin.query(
    `SELECT index, entry_type, name, appended_at, invoked_target, promise_name, version, entry_json, raw FROM sys_journal WHERE id = ${sqlString(id, "invocation id")}${window} ORDER BY index${range === undefined ? "" : ` LIMIT ${range.limit}`}`,
  );
  const entries: JournalEntryView[] = [];
  for (const row of rows) {
    let entry: unknown;
    let located: LocatedValue[];
    const json = textColumn(row.entry_json);
    try {
      entry = json ? (JSON.parse(json) as unknown) : undefined;
    } catch {
      entry = undefined; // not JSON after all: read the protobuf instead
    }
    if (entry !== undefined) {
      located = valuesInEntryJson(entry);
    } else {
      const raw = bytesFromHexColumn(row.raw);
      located = raw === undefined ? [] : valuesInRawEntry(raw);
    }
    const values: JournalValue[] = [];
    for (const value of located) {
      values.push({ label: labelOf(value.path), path: value.path, shown: await describeValue(value.bytes, keys) });
    }
    const name = textColumn(row.name);
    entries.push({
      index: numberColumn(row.index) ?? entries.length,
      type: textColumn(row.entry_type) ?? "unknown",
      name: name === "" ? undefined : name,
      appendedAt: textColumn(row.appended_at),
      detail: detailOf(entry, row),
      values,
      failure: findFailure(entry),
    });
  }
  return entries;
}
