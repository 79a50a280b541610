import { CliUsageError, defineCommand, invalidFlag } from "@restate-connect/cli-kit";
import { toBase64, toHex, utf8Decode } from "../bytes.js";
import { JournalEncryptionError } from "../errors.js";
import { type EnvelopeInfo, inspectEnvelope, openEnvelope, type ReferenceValueInfo } from "../inspect.js";
import { locateEnvelopes } from "../show/locate-envelopes.js";
import { KEY_OPTIONS, type KeyRing, keyRingFromFlags } from "./keys.js";
import { readValue } from "./value.js";

const OUTPUTS = ["text", "base64", "hex"] as const;
type Output = (typeof OUTPUTS)[number];

function render(plaintext: Uint8Array, output: Output): string {
  if (output === "base64") return toBase64(plaintext);
  if (output === "hex") return toHex(plaintext);
  try {
    return utf8Decode(plaintext);
  } catch {
    return toBase64(plaintext);
  }
}

async function open(value: Uint8Array, info: EnvelopeInfo | ReferenceValueInfo, ring: KeyRing): Promise<Uint8Array> {
  const provider = ring.providerFor(info.provider);
  if (!provider) {
    throw new JournalEncryptionError(
      "wrong_provider",
      `the value was sealed with a "${info.provider}" key, and no ${info.provider === "local" ? "local keys" : "--kms"} were given`,
    );
  }
  // An operator tool reads the reference codec's values too (never writes them).
  return openEnvelope(value, provider, { readReferenceFormat: true });
}

export const decodeCommand = defineCommand({
  name: "decode",
  usage: "<value>",
  summary: "Decrypt one value, or every value in a journal entry, with local keys or KMS",
  details: [
    "<value> is base64, hex, @<file> or - for standard input: a stored value, a sys_journal.raw entry (hex),",
    "or a sys_journal.entry_json text; in an entry, every encrypted value is decoded, with its path.",
    "With --kms and no --allow-key, KMS is asked to unwrap with the key the value names (your KMS permissions decide); give --allow-key to refuse values naming any other key.",
  ].join("\n"),
  args: { min: 1, max: 1 },
  options: {
    ...KEY_OPTIONS,
    output: { type: "string", value: "text|base64|hex", description: "How to print the plaintext (default text)" },
  },
  async run(context) {
    const output = (context.flags.string("output") ?? "text") as Output;
    if (!OUTPUTS.includes(output)) throw invalidFlag("output", "must be text, base64 or hex");
    const input = await readValue(context.args[0] as string, context);
    const located = locateEnvelopes(input);
    const single = located.length === 0 || (located.length === 1 && located[0]?.path === "");
    const values = single ? [{ path: "", bytes: input }] : located;

    // Key options are checked before the value, so a mistake in them is reported whatever the value is.
    const infos: (EnvelopeInfo | ReferenceValueInfo | Error)[] = values.map(({ bytes }) => {
      try {
        return inspectEnvelope(bytes);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
    const readable = infos.filter((info): info is EnvelopeInfo | ReferenceValueInfo => !(info instanceof Error));
    const kmsUnnamed = readable.some((info) => info.provider === "aws-kms" && info.keyId === undefined);
    if (context.flags.boolean("kms") && kmsUnnamed && context.flags.strings("allow-key").length === 0) {
      if (context.flags.string("active-key") === undefined) {
        throw new CliUsageError(
          "missing_option",
          "--kms needs --allow-key <key-arn> for this value: it does not name its KMS key (a version-2 envelope keeps a fingerprint, a reference-format value nothing)",
        );
      }
    }
    // Without --allow-key, KMS may unwrap with the keys the values name (the operator's KMS rights decide).
    const named = readable.flatMap((info) =>
      info.provider === "aws-kms" && info.keyId !== undefined ? [info.keyId] : [],
    );
    const ring = await keyRingFromFlags(context, {
      active: "none",
      extraKmsKeys: context.flags.strings("allow-key").length === 0 ? named : [],
    });

    if (single) {
      const info = infos[0];
      if (info instanceof Error || info === undefined) throw info;
      const plaintext = await open(input, info, ring);
      context.print(() => render(plaintext, output), {
        provider: info.provider,
        keyId: info.keyId,
        base64: toBase64(plaintext),
        ...(output === "text" ? { text: render(plaintext, "text") } : {}),
      });
      return 0;
    }

    // A journal entry: every value in it, each with its path; one failure does not hide the others.
    const results = await Promise.all(
      values.map(async ({ path, bytes }, i) => {
        const info = infos[i];
        try {
          if (info instanceof Error || info === undefined) throw info;
          const plaintext = await open(bytes, info, ring);
          return {
            path,
            provider: info.provider,
            keyId: info.keyId,
            base64: toBase64(plaintext),
            ...(output === "text" ? { text: render(plaintext, "text") } : {}),
            shown: render(plaintext, output),
          };
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          return {
            path,
            error: { code: typeof code === "string" ? code : "error", message: (error as Error).message },
          };
        }
      }),
    );
    context.print(
      () =>
        results
          .map((r) =>
            "shown" in r ? `${r.path}: ${r.shown}` : `${r.path}: error [${r.error?.code}]: ${r.error?.message}`,
          )
          .join("\n"),
      { values: results.map((r) => ("shown" in r ? { ...r, shown: undefined } : r)) },
    );
    return results.some((r) => "error" in r) ? 1 : 0;
  },
});
