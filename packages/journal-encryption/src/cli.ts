#!/usr/bin/env node
/**
 * `restate-journal`: operator tool for encrypted journal values.
 *
 *   restate-journal inspect <value>
 *   restate-journal decode <value> --local-key <id>=<base64> [...]
 *   restate-journal decode <value> --kms [--region r] [--endpoint url] [--allow-key arn] [--context k=v]
 *   restate-journal generate-key
 *
 * <value> is base64, hex, `@path` (a file with raw or text content) or `-` (stdin).
 */
import { readFileSync } from "node:fs";
import { fromBase64, fromHex, toBase64, toHex, utf8Decode } from "./bytes.js";
import { hasEnvelopePrefix } from "./envelope.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";
import { inspectEnvelope, openEnvelope } from "./inspect.js";
import type { KeyProvider } from "./key-provider.js";
import { generateLocalKey, localKeyProvider } from "./local-key-provider.js";

const USAGE = `usage:
  restate-journal inspect <value>
  restate-journal decode <value> --local-key <id>=<base64> [--local-key ...] [--output text|base64|hex]
  restate-journal decode <value> --kms [--region <r>] [--endpoint <url>] [--allow-key <arn>]... [--context <k>=<v>]...
  restate-journal generate-key
<value>: base64, hex, @<file> or - for stdin`;

class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(["kms", "help"]);

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let value = inline;
    if (value === undefined && !BOOLEAN_FLAGS.has(name)) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value ?? "true"]);
  }
  return { positional, flags };
}

/** Turns the <value> argument into bytes: @file, -, hex or base64. */
export function readValue(arg: string, readFile: (path: string) => Uint8Array = (p) => readFileSync(p)): Uint8Array {
  let text: string;
  if (arg === "-" || arg.startsWith("@")) {
    const bytes = readFile(arg === "-" ? "/dev/stdin" : arg.slice(1));
    if (hasEnvelopePrefix(bytes)) return bytes;
    try {
      text = utf8Decode(bytes);
    } catch {
      throw new UsageError("file is neither a raw envelope nor base64/hex text");
    }
  } else {
    text = arg;
  }
  const trimmed = text.trim();
  // Envelopes start with 00 52 4a 45: "00524a45…" in hex, "AFJKR…" in base64 — never ambiguous.
  const bytes = /^(0x)?[0-9a-fA-F]+$/.test(trimmed) ? fromHex(trimmed) : fromBase64(trimmed);
  if (bytes === undefined) throw new UsageError("value is neither base64 nor hex");
  return bytes;
}

async function providerFromFlags(flags: Map<string, string[]>, keyIdHint: string): Promise<KeyProvider> {
  if (flags.has("kms")) {
    const { kmsKeyProvider } = await import("./kms.js");
    const { KMSClient } = await import("@aws-sdk/client-kms");
    const region = flags.get("region")?.[0];
    const endpoint = flags.get("endpoint")?.[0];
    const context = Object.fromEntries(
      (flags.get("context") ?? []).map((pair) => {
        const at = pair.indexOf("=");
        if (at < 1) throw new UsageError(`--context expects key=value, got "${pair}"`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    return kmsKeyProvider({
      keyId: keyIdHint,
      client: new KMSClient({ ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) }),
      ...(flags.has("context") ? { encryptionContext: context } : {}),
      ...(flags.has("allow-key") ? { allowedKeyIds: flags.get("allow-key") } : {}),
    });
  }
  const pairs = flags.get("local-key") ?? [];
  if (pairs.length === 0) throw new UsageError("decode needs --local-key <id>=<base64> or --kms");
  const keys: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError("--local-key expects <id>=<base64 key>");
    keys[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return localKeyProvider({ keys, activeKeyId: Object.keys(keys)[0] as string });
}

function render(plaintext: Uint8Array, output: string): string {
  if (output === "base64") return toBase64(plaintext);
  if (output === "hex") return toHex(plaintext);
  try {
    return utf8Decode(plaintext);
  } catch {
    return toBase64(plaintext);
  }
}

/** Runs the CLI; returns the exit code. Output goes through `write`, diagnostics through `writeError`. */
export async function main(
  argv: string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
  writeError: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  try {
    const { positional, flags } = parseArgs(argv);
    const [command, valueArg] = positional;
    if (flags.has("help") || command === undefined) {
      write(`${USAGE}\n`);
      return command === undefined && !flags.has("help") ? 2 : 0;
    }
    if (command === "generate-key") {
      write(`${generateLocalKey()}\n`);
      return 0;
    }
    if (command !== "inspect" && command !== "decode") throw new UsageError(`unknown command "${command}"`);
    if (valueArg === undefined) throw new UsageError(`${command} needs a <value>`);
    const value = readValue(valueArg);
    const info = inspectEnvelope(value);
    if (command === "inspect") {
      write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    const output = flags.get("output")?.[0] ?? "text";
    if (!["text", "base64", "hex"].includes(output)) throw new UsageError("--output must be text, base64 or hex");
    const provider = await providerFromFlags(flags, info.keyId);
    write(`${render(await openEnvelope(value, provider), output)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      writeError(`restate-journal: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (isJournalEncryptionError(error)) {
      writeError(`restate-journal: ${error.code}: ${error.message}\n`);
      return 1;
    }
    writeError(`restate-journal: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const invokedAsScript = (() => {
  const entry = process.argv[1] ?? "";
  return /restate-journal$|cli\.(c?js|ts)$/.test(entry);
})();

if (invokedAsScript) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `restate-journal: ${error instanceof JournalEncryptionError ? error.message : "unexpected failure"}\n`,
      );
      process.exitCode = 1;
    },
  );
}
