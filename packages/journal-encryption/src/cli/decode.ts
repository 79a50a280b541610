import { CliUsageError, defineCommand, invalidFlag } from "@restate-connect/cli-kit";
import { toBase64, toHex, utf8Decode } from "../bytes.js";
import { JournalEncryptionError } from "../errors.js";
import { inspectEnvelope, openEnvelope } from "../inspect.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";
import { readValue } from "./value.js";

const OUTPUTS = ["text", "base64", "hex"] as const;

function render(plaintext: Uint8Array, output: (typeof OUTPUTS)[number]): string {
  if (output === "base64") return toBase64(plaintext);
  if (output === "hex") return toHex(plaintext);
  try {
    return utf8Decode(plaintext);
  } catch {
    return toBase64(plaintext);
  }
}

export const decodeCommand = defineCommand({
  name: "decode",
  usage: "<value>",
  summary: "Decrypt one value with local keys or KMS",
  details: [
    "<value> is base64, hex, @<file> or - for standard input.",
    "With --kms and no --allow-key, KMS is asked to unwrap with the key the value names (your KMS permissions decide); give --allow-key to refuse values naming any other key.",
  ].join("\n"),
  args: { min: 1, max: 1 },
  options: {
    ...KEY_OPTIONS,
    output: { type: "string", value: "text|base64|hex", description: "How to print the plaintext (default text)" },
  },
  async run(context) {
    const output = (context.flags.string("output") ?? "text") as (typeof OUTPUTS)[number];
    if (!OUTPUTS.includes(output)) throw invalidFlag("output", "must be text, base64 or hex");
    const value = await readValue(context.args[0] as string, context);
    // Key options are checked first, so a mistake in them is reported whatever the value is.
    let info: ReturnType<typeof inspectEnvelope> | undefined;
    let unreadable: unknown;
    try {
      info = inspectEnvelope(value);
    } catch (error) {
      unreadable = error;
    }
    // Without --allow-key, KMS may unwrap with the key the value names (the operator's KMS rights
    // decide); a value that does not name its key needs --allow-key.
    const named = info?.provider === "aws-kms" && info.keyId !== undefined ? [info.keyId] : [];
    if (context.flags.boolean("kms") && info?.provider === "aws-kms" && info.keyId === undefined) {
      if (context.flags.strings("allow-key").length === 0 && context.flags.string("active-key") === undefined) {
        throw new CliUsageError(
          "missing_option",
          "--kms needs --allow-key <key-arn> for this value: it does not name its KMS key (a version-2 envelope keeps a fingerprint, a reference-format value nothing)",
        );
      }
    }
    const ring = await keyRingFromFlags(context, {
      active: "none",
      extraKmsKeys: context.flags.strings("allow-key").length === 0 ? named : [],
    });
    if (info === undefined) throw unreadable;
    const provider = ring.providerFor(info.provider);
    if (!provider) {
      throw new JournalEncryptionError(
        "wrong_provider",
        `the value was sealed with a "${info.provider}" key, and no ${info.provider === "local" ? "local keys" : "--kms"} were given`,
      );
    }
    // An operator tool reads the reference codec's values too (never writes them).
    const plaintext = await openEnvelope(value, provider, { readReferenceFormat: true });
    context.print(() => render(plaintext, output), {
      provider: info.provider,
      keyId: info.keyId,
      base64: toBase64(plaintext),
      ...(output === "text" ? { text: render(plaintext, "text") } : {}),
    });
    return 0;
  },
});
