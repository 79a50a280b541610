import { type Environment, listSetting, textSetting } from "./environment.js";
import { ConfigError } from "./errors.js";
import { parseJournalKeys } from "./journal-keys.js";
import { SETTINGS } from "./names.js";

/** How journal values are encrypted: local keys (`id → base64`), or an AWS KMS key. */
export type JournalConfig =
  | { readonly provider: "local"; readonly keys: Readonly<Record<string, string>>; readonly activeKeyId: string }
  | {
      readonly provider: "kms";
      readonly keyId: string;
      /** Keys whose data keys may be unwrapped; undefined: the provider's default (the key itself). */
      readonly allowedKeyIds: readonly string[] | undefined;
    };

export interface ReadJournalOptions {
  /**
   * Reads the file named by `JOURNAL_KEYS_FILE` as UTF-8 text, e.g. `(path) => readFileSync(path, "utf8")`.
   * Without it (runtimes with no file system) that variable is refused.
   */
  readFile?: (path: string) => string;
}

/**
 * Reads the journal encryption settings: `JOURNAL_KMS_KEY_ID` (with `JOURNAL_KMS_ALLOWED_KEY_IDS`)
 * selects KMS; otherwise local keys come from `JOURNAL_KEYS` or the file named by `JOURNAL_KEYS_FILE`,
 * and `JOURNAL_ACTIVE_KEY_ID` picks the one that wraps new data keys. Exactly one source may be set.
 */
export function readJournalConfig(env: Environment, options: ReadJournalOptions = {}): JournalConfig {
  const kmsKeyId = textSetting(env, SETTINGS.journalKmsKeyId);
  const inline = textSetting(env, SETTINGS.journalKeys);
  const file = textSetting(env, SETTINGS.journalKeysFile);
  const given = [
    [kmsKeyId, SETTINGS.journalKmsKeyId],
    [inline, SETTINGS.journalKeys],
    [file, SETTINGS.journalKeysFile],
  ].flatMap(([value, name]) => (value === undefined ? [] : [name as string]));
  if (given.length > 1) {
    throw new ConfigError("ambiguous_journal_keys", given[1] as string, `set only one of ${given.join(", ")}`);
  }
  if (kmsKeyId !== undefined) {
    const allowed = listSetting(env[SETTINGS.journalKmsAllowedKeyIds]);
    return { provider: "kms", keyId: kmsKeyId, allowedKeyIds: allowed.length > 0 ? allowed : undefined };
  }
  let keys: Record<string, string>;
  if (file !== undefined) keys = parseJournalKeys(readKeyFile(file, options), SETTINGS.journalKeysFile);
  else if (inline !== undefined) keys = parseJournalKeys(inline, SETTINGS.journalKeys);
  else keys = {};
  const source = file !== undefined ? SETTINGS.journalKeysFile : SETTINGS.journalKeys;
  const ids = Object.keys(keys);
  if (ids.length === 0) {
    throw new ConfigError(
      "missing_journal_keys",
      source,
      file !== undefined
        ? "the file holds no id=base64key pairs"
        : `not set; give id=base64key pairs (key: \`openssl rand -base64 32\`), ${SETTINGS.journalKeysFile} or ${SETTINGS.journalKmsKeyId}`,
    );
  }
  const activeKeyId = textSetting(env, SETTINGS.journalActiveKeyId) ?? (ids.length === 1 ? ids[0] : undefined);
  if (activeKeyId === undefined) {
    throw new ConfigError(
      "unknown_active_key",
      SETTINGS.journalActiveKeyId,
      `not set; required when ${source} holds several keys`,
    );
  }
  if (!Object.hasOwn(keys, activeKeyId)) {
    throw new ConfigError("unknown_active_key", SETTINGS.journalActiveKeyId, `is not an id in ${source}`);
  }
  return { provider: "local", keys, activeKeyId };
}

function readKeyFile(path: string, options: ReadJournalOptions): string {
  if (options.readFile === undefined) {
    throw new ConfigError(
      "unsupported_setting",
      SETTINGS.journalKeysFile,
      `this runtime reads no files; set ${SETTINGS.journalKeys} instead`,
    );
  }
  try {
    return options.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // The path is the operator's own setting, not a secret; the file's content never appears.
    throw new ConfigError(
      "unreadable_key_file",
      SETTINGS.journalKeysFile,
      `cannot read the file${typeof code === "string" ? ` (${code})` : ""}`,
    );
  }
}
