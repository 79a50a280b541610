import { listSetting } from "./environment.js";
import { ConfigError } from "./errors.js";

/** Key ids are short labels such as `2026-11`; they are stored in every envelope, so they must not be secret. */
const KEY_ID = /^[A-Za-z0-9._-]{1,40}$/;
/** 32 bytes in standard base64 (44 characters with padding) or base64url without padding. */
const BASE64_32_BYTES = /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43})$/;

/**
 * Parses local journal keys, `id=base64key` pairs separated by commas or newlines, into a map from
 * id to key. `variable` names where the text came from (the variable or the key file's variable).
 * Messages name an entry by position only: a mistyped entry may be a bare secret.
 *
 * @example
 * ```ts
 * parseJournalKeys("2026-11=q83vEjRWeJ…=", "JOURNAL_KEYS"); // { "2026-11": "q83vEjRWeJ…=" }
 * ```
 */
export function parseJournalKeys(text: string, variable: string): Record<string, string> {
  const entries: [string, string][] = [];
  const firstIndex = new Map<string, number>();
  listSetting(text, /[,\r\n]+/).forEach((pair, index) => {
    const separator = pair.indexOf("=");
    const id = separator > 0 ? pair.slice(0, separator).trim() : "";
    const key = separator > 0 ? pair.slice(separator + 1).trim() : "";
    if (!KEY_ID.test(id) || key.length === 0) {
      throw new ConfigError("invalid_journal_keys", variable, `entry ${index} is not of the form id=base64key`);
    }
    if (!BASE64_32_BYTES.test(key)) {
      throw new ConfigError("invalid_journal_keys", variable, `entry ${index}: the key is not 32 bytes in base64`);
    }
    const earlier = firstIndex.get(id);
    if (earlier !== undefined) {
      throw new ConfigError("invalid_journal_keys", variable, `entries ${earlier} and ${index} have the same id`);
    }
    firstIndex.set(id, index);
    entries.push([id, key]);
  });
  // fromEntries defines own properties, so an id such as `__proto__` is a key like any other.
  return Object.fromEntries(entries);
}
