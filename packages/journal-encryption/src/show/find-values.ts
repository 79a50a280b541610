/**
 * Where values sit inside what Restate's admin SQL API returns for a journal entry.
 *
 * restate-server 1.7 stores journal entries (journal version 2) as the service protocol's protobuf
 * messages; `sys_journal.raw` is that message and `sys_journal.entry_json` the server's own JSON of
 * it, in which every `bytes` field is an array of numbers. A value the SDK encoded sits in:
 * `Command.Input.payload`, `Command.SetState.value`, `Command.Output.result.Success`,
 * `Command.Call.request.parameter`, `Command.OneWayCall.request.parameter`,
 * `Notification.Completion.<kind>.result.Success` (run, call, awakeable, promise, state results),
 * `Command.CompletePromise.value.Success`, `Command.SendSignal.result.Success`. In `raw` the same
 * value is a length-delimited field (for example field 14 → field 1 of `InputCommandMessage`, field
 * 3 of `CallCommandMessage`). Failures (`result.Failure`: code and message) and headers are not
 * passed through the codec: Restate stores them as the SDK sent them.
 */
import { inspectValue } from "../inspect.js";
import { readMessage } from "./protobuf.js";

/** One value found inside a journal entry. */
export interface LocatedValue {
  /** Where it was: a dotted JSON path (`Command.Input.payload`) or protobuf field numbers (`14.1`). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** JSON keys under which journal v2 entries carry a codec-encoded value. */
const VALUE_KEYS: ReadonlySet<string> = new Set(["payload", "value", "parameter", "Success"]);
const MAX_DEPTH = 32;

/** True when the bytes begin like an envelope of this package or a reference-codec value. */
export function looksEncrypted(bytes: Uint8Array): boolean {
  return inspectValue(bytes).format !== "plaintext";
}

function asByteArray(value: unknown): Uint8Array | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const n = value[i];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/**
 * The values inside a parsed `entry_json`: every byte array under a value key (even empty or
 * plaintext: the caller classifies it), and any other byte array that starts like an envelope.
 */
export function valuesInEntryJson(entry: unknown): LocatedValue[] {
  const found: LocatedValue[] = [];
  const walk = (node: unknown, path: string[], depth: number) => {
    if (depth > MAX_DEPTH || node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      const bytes = asByteArray(node);
      const last = path[path.length - 1] ?? "";
      if (bytes !== undefined && (VALUE_KEYS.has(last) || looksEncrypted(bytes))) {
        found.push({ path: path.join("."), bytes });
        return;
      }
      for (let i = 0; i < node.length; i++) walk(node[i], [...path, String(i)], depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, [...path, key], depth + 1);
  };
  walk(entry, [], 0);
  return found;
}

/**
 * The encrypted values inside a protobuf journal entry (`sys_journal.raw`), found without its
 * schema: every length-delimited field that starts like an envelope, searching nested messages.
 * An envelope starts with a zero byte, which no protobuf message can (field number 0 is invalid),
 * so an envelope is never mistaken for a nested message.
 */
export function valuesInRawEntry(raw: Uint8Array): LocatedValue[] {
  const found: LocatedValue[] = [];
  const walk = (bytes: Uint8Array, path: number[], depth: number) => {
    if (depth > MAX_DEPTH) return;
    const fields = readMessage(bytes);
    if (fields === undefined) return;
    for (const field of fields) {
      if (field.wire !== "bytes") continue;
      const here = [...path, field.field];
      if (looksEncrypted(field.value)) found.push({ path: here.join("."), bytes: field.value });
      else if (field.value.length > 0) walk(field.value, here, depth + 1);
    }
  };
  walk(raw, [], 0);
  return found;
}
