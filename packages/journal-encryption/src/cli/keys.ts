/**
 * Key options shared by every `restate-journal` command that opens or seals values.
 *
 * Local keys come from `--local-key <id>=<base64>` (repeatable, warned about: argv is visible in
 * process lists and shell history), `--local-key-file <path>` (one `<id>=<base64>` a line) and the
 * environment variable `RESTATE_JOURNAL_LOCAL_KEYS` (`<id>=<base64>` pairs separated by commas).
 * KMS is `--kms` with `--allow-key <arn>` and the AWS CLI's `--aws-region`, `--endpoint-url`,
 * `--profile`. A malformed entry is reported by its position only: no byte of it is ever echoed.
 */
import { readFileSync, statSync } from "node:fs";
import { CliUsageError, type CommandContext, invalidFlag, type OptionsSpec, parseFlag } from "@restate-connect/cli-kit";
import type { ProviderKind } from "../envelope.js";
import type { KeyProvider } from "../key-provider.js";
import { localKeyProvider } from "../local-key-provider.js";
import { JournalCliError } from "./errors.js";

export const LOCAL_KEYS_ENV = "RESTATE_JOURNAL_LOCAL_KEYS";

export const KEY_OPTIONS: OptionsSpec = {
  "local-key": {
    type: "string",
    multiple: true,
    value: "<id>=<base64>",
    description: `A local key (visible in process lists: prefer --local-key-file or ${LOCAL_KEYS_ENV})`,
  },
  "local-key-file": {
    type: "string",
    multiple: true,
    value: "<path>",
    description: "A file of local keys, one <id>=<base64> a line (# starts a comment)",
  },
  kms: { type: "boolean", description: "Use AWS KMS (credentials from the AWS SDK's default chain)" },
  "allow-key": {
    type: "string",
    multiple: true,
    value: "<key-arn>",
    description: "A KMS key that may unwrap values (and, for audit, a key id that is acceptable)",
  },
  "active-key": {
    type: "string",
    value: "<id>",
    description: "The key new envelopes are sealed under: a local key id, or with --kms a KMS key ARN",
  },
  context: {
    type: "string",
    multiple: true,
    value: "<key>=<value>",
    description: "KMS encryption context (default purpose=restate-journal)",
  },
  "aws-region": { type: "string", value: "<region>", description: "AWS region for KMS (default: AWS_REGION)" },
  "endpoint-url": { type: "string", value: "<url>", description: "KMS endpoint, e.g. a local emulator" },
  profile: { type: "string", value: "<name>", description: "AWS profile for KMS credentials" },
};

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/+@-]{0,127}$/;
const KEY_PATTERN = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;

/** `<id>=<base64>` → id and 32 key bytes; `where` names the position, and is all an error shows. */
export function parseLocalKeyEntry(entry: string, where: string): { id: string; key: Uint8Array } {
  const at = entry.indexOf("=");
  if (at < 1) throw new CliUsageError("invalid_option", `${where}: expected <id>=<base64 key>`);
  const id = entry.slice(0, at).trim();
  const encoded = entry.slice(at + 1).trim();
  if (!ID_PATTERN.test(id)) {
    throw new CliUsageError(
      "invalid_option",
      `${where}: the key id (before the first "=") must be 1–128 letters, digits or ._:/+@- characters`,
    );
  }
  if (!KEY_PATTERN.test(encoded)) {
    throw new CliUsageError(
      "invalid_option",
      `${where}: expected a base64 32-byte key after the first "=" (as restate-journal generate-key prints)`,
    );
  }
  const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/").replace(/=$/, ""));
  const key = new Uint8Array(32);
  for (let i = 0; i < 32; i++) key[i] = binary.charCodeAt(i);
  return { id, key };
}

function ordinal(n: number): string {
  return `#${n}`;
}

interface LocalKey {
  key: Uint8Array;
  source: string;
}

/** Every local key from the flags, the key files and the environment, checked for clashes. */
export function readLocalKeys(context: CommandContext): Map<string, LocalKey> {
  const keys = new Map<string, LocalKey>();
  const add = (entry: string, where: string) => {
    const { id, key } = parseLocalKeyEntry(entry, where);
    const existing = keys.get(id);
    if (existing && !sameBytes(existing.key, key)) {
      throw new CliUsageError(
        "conflicting_options",
        `key id "${id}" is given twice with different keys (${existing.source} and ${where})`,
      );
    }
    if (!existing) keys.set(id, { key, source: where });
  };

  const fromFlags = context.flags.strings("local-key");
  if (fromFlags.length > 0) {
    context.warn(
      `--local-key puts key material on the command line, visible in process lists and shell history; prefer --local-key-file <path> or ${LOCAL_KEYS_ENV}`,
    );
  }
  for (const [i, entry] of fromFlags.entries()) add(entry, `--local-key ${ordinal(i + 1)}`);

  for (const path of context.flags.strings("local-key-file")) {
    let text: string;
    try {
      const mode = statSync(path).mode;
      if (process.platform !== "win32" && (mode & 0o077) !== 0) {
        context.warn(
          `--local-key-file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
        );
      }
      text = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new JournalCliError(
        "unreadable_file",
        `--local-key-file ${path}: cannot read it (${String(code ?? "error")})`,
      );
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) return;
      add(trimmed, `--local-key-file ${path} line ${i + 1}`);
    });
  }

  const fromEnv = context.io.env[LOCAL_KEYS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    fromEnv.split(",").forEach((entry, i) => {
      if (entry.trim() === "") return;
      add(entry.trim(), `${LOCAL_KEYS_ENV} entry ${ordinal(i + 1)}`);
    });
  }
  return keys;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** The keys a command may use: one provider per kind, and the key new envelopes are sealed under. */
export interface KeyRing {
  /** The provider for envelopes of this kind, if keys of that kind were given. */
  providerFor(kind: ProviderKind): KeyProvider | undefined;
  /** Where new envelopes go; absent when the command does not seal. */
  readonly active: { kind: ProviderKind; keyId: string; provider: KeyProvider } | undefined;
  readonly localKeyIds: readonly string[];
  /** KMS keys allowed to unwrap (empty without `--kms`). */
  readonly kmsAllowedKeys: readonly string[];
}

export interface KeyRingOptions {
  /** `required`: a command that seals (migrate, rewrap); `none`: one that only opens. */
  active: "required" | "none";
  /** KMS keys to allow besides `--allow-key`, e.g. the key an envelope names for `decode`. */
  extraKmsKeys?: readonly string[];
  /** With `--kms`, at least one key must be known. Default true. */
  requireKeys?: boolean;
}

function parseContext(pairs: string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const context: Record<string, string> = {};
  pairs.forEach((pair, i) => {
    const at = pair.indexOf("=");
    if (at < 1) throw invalidFlag("context", `${ordinal(i + 1)} expects <key>=<value>`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  });
  return context;
}

async function loadKms(): Promise<{
  kmsKeyProvider: typeof import("../kms.js").kmsKeyProvider;
  KMSClient: typeof import("@aws-sdk/client-kms").KMSClient;
}> {
  try {
    const [{ kmsKeyProvider }, { KMSClient }] = await Promise.all([import("../kms.js"), import("@aws-sdk/client-kms")]);
    return { kmsKeyProvider, KMSClient };
  } catch {
    throw new JournalCliError("missing_dependency", "--kms needs @aws-sdk/client-kms: npm install @aws-sdk/client-kms");
  }
}

/** Builds the key ring from the key options; reports mistakes by flag and position. */
export async function keyRingFromFlags(context: CommandContext, options: KeyRingOptions): Promise<KeyRing> {
  const { flags } = context;
  const useKms = flags.boolean("kms");
  for (const flag of ["aws-region", "endpoint-url", "profile", "context"]) {
    if (!useKms && flags.given(flag)) throw invalidFlag(flag, "only applies with --kms");
  }
  const local = readLocalKeys(context);
  const allowKeys = flags.strings("allow-key");
  const activeFlag = flags.string("active-key");

  let active: { kind: ProviderKind; keyId: string } | undefined;
  if (activeFlag !== undefined) {
    if (local.has(activeFlag)) active = { kind: "local", keyId: activeFlag };
    else if (useKms) active = { kind: "aws-kms", keyId: activeFlag };
    else {
      throw invalidFlag(
        "active-key",
        `names none of the local keys given (${[...local.keys()].join(", ") || "none"}), and --kms is off`,
      );
    }
  } else if (options.active === "required") {
    if (!useKms && local.size === 1) active = { kind: "local", keyId: [...local.keys()][0] as string };
    else if (useKms && local.size === 0 && allowKeys.length === 1) {
      active = { kind: "aws-kms", keyId: allowKeys[0] as string };
    } else {
      throw new CliUsageError(
        "missing_option",
        "--active-key <id> is required: say which key new envelopes are sealed under (it defaults only when exactly one local key, or --kms with exactly one --allow-key, is given)",
      );
    }
  }

  if (options.requireKeys !== false && local.size === 0 && !useKms) {
    throw new CliUsageError(
      "missing_option",
      `no keys given: use --local-key-file <path>, ${LOCAL_KEYS_ENV}, --local-key <id>=<base64>, or --kms`,
    );
  }

  const localIds = [...local.keys()];
  const localProvider =
    local.size === 0
      ? undefined
      : localKeyProvider({
          keys: Object.fromEntries([...local].map(([id, { key }]) => [id, key])),
          activeKeyId: active?.kind === "local" ? active.keyId : (localIds[0] as string),
        });

  let kmsProvider: KeyProvider | undefined;
  const kmsAllowed = [
    ...new Set([
      ...allowKeys,
      ...(active?.kind === "aws-kms" && /:key\/|^[0-9a-f-]{36}$/.test(active.keyId) ? [active.keyId] : []),
      ...(options.extraKmsKeys ?? []),
    ]),
  ];
  if (useKms) {
    const kmsKeyId = active?.kind === "aws-kms" ? active.keyId : kmsAllowed[0];
    if (kmsKeyId === undefined) {
      throw new CliUsageError(
        "missing_option",
        "--kms needs --allow-key <key-arn>: the KMS keys that may unwrap values",
      );
    }
    const region = flags.string("aws-region");
    const endpoint = flags.string("endpoint-url");
    if (endpoint !== undefined) {
      parseFlag("endpoint-url", () => {
        const url = new URL(endpoint);
        if (url.protocol !== "https:" && url.protocol !== "http:") throw new RangeError("must be an http(s) URL");
        return url;
      });
    }
    const profile = flags.string("profile");
    const encryptionContext = parseContext(flags.strings("context"));
    const { kmsKeyProvider, KMSClient } = await loadKms();
    kmsProvider = parseFlag("allow-key", () =>
      kmsKeyProvider({
        keyId: kmsKeyId,
        client: new KMSClient({
          ...(region ? { region } : {}),
          ...(endpoint ? { endpoint } : {}),
          ...(profile ? { profile } : {}),
        }),
        allowedKeyIds: kmsAllowed,
        ...(encryptionContext ? { encryptionContext } : {}),
      }),
    );
  }

  const providerFor = (kind: ProviderKind) =>
    kind === "local" ? localProvider : kind === "aws-kms" ? kmsProvider : undefined;
  return {
    providerFor,
    active: active && { ...active, provider: providerFor(active.kind) as KeyProvider },
    localKeyIds: localIds,
    kmsAllowedKeys: useKms ? kmsAllowed : [],
  };
}
