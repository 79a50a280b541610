/**
 * For `restate-journal decode` and `inspect`: the encrypted values inside whatever the operator
 * copied out of Restate — a value itself, a `sys_journal.raw` entry (protobuf) or a
 * `sys_journal.entry_json` text — so such input is not refused as `not_encrypted` (which would
 * wrongly suggest the journal holds plaintext).
 */
import { type LocatedValue, looksEncrypted, valuesInEntryJson, valuesInRawEntry } from "./find-values.js";

export type { LocatedValue } from "./find-values.js";

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * What `decode` and `inspect` call with the bytes they were given: the encrypted values inside
 * them, wherever they are. A value that is itself an envelope (or reference value) is returned as
 * it is; a `sys_journal.entry_json` text (or a JSON string holding one) yields the envelopes in its
 * byte arrays; a `sys_journal.raw` entry yields the envelopes in its fields. An empty result means
 * the bytes hold no encrypted value at all.
 *
 * @example
 * ```ts
 * const [first] = locateEnvelopes(bytesFromTheUser);
 * if (first) console.log(first.path, inspectEnvelope(first.bytes));
 * ```
 */
export function locateEnvelopes(input: Uint8Array): LocatedValue[] {
  if (looksEncrypted(input)) return [{ path: "", bytes: input }];
  let text: string | undefined;
  try {
    text = textDecoder.decode(input).trim();
  } catch {
    text = undefined;
  }
  if (text !== undefined && /^[{["]/.test(text)) {
    try {
      let parsed: unknown = JSON.parse(text);
      if (typeof parsed === "string") parsed = JSON.parse(parsed);
      return valuesInEntryJson(parsed).filter((value) => looksEncrypted(value.bytes));
    } catch {
      // not JSON after all: try it as protobuf
    }
  }
  return valuesInRawEntry(input);
}
