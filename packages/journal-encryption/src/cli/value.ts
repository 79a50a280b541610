import { readFileSync } from "node:fs";
import { CliUsageError, type CommandContext } from "@restate-connect/cli-kit";
import { fromBase64, fromHex, utf8Decode } from "../bytes.js";
import { hasEnvelopePrefix } from "../envelope.js";

/**
 * Turns a `<value>` argument into bytes: `@path` (raw bytes, or base64/hex/JSON text), `-` (standard
 * input, the same), hex (`00524a45…`, optionally `0x…`), base64, or JSON (a `sys_journal.entry_json`
 * text, returned as its UTF-8 bytes). Envelopes start with
 * `00 52 4a 45`: `00524a45…` in hex and `AFJKR…` in base64, so the two are never ambiguous.
 */
export async function readValue(
  argument: string,
  context: Pick<CommandContext, "io">,
  readFile: (path: string) => Uint8Array = (path) => new Uint8Array(readFileSync(path)),
): Promise<Uint8Array> {
  let text: string;
  if (argument === "-" || argument.startsWith("@")) {
    let bytes: Uint8Array;
    if (argument === "-") {
      if (!context.io.stdin)
        throw new CliUsageError("missing_argument", "<value> is -, but there is no standard input");
      bytes = await context.io.stdin();
    } else {
      try {
        bytes = readFile(argument.slice(1));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new CliUsageError(
          "invalid_option",
          `<value> ${argument}: cannot read the file (${String(code ?? "error")})`,
        );
      }
    }
    if (hasEnvelopePrefix(bytes)) return bytes;
    try {
      text = utf8Decode(bytes);
    } catch {
      throw new CliUsageError("invalid_option", "<value>: the input is neither a raw envelope nor base64/hex text");
    }
  } else {
    text = argument;
  }
  const trimmed = text.trim();
  // A sys_journal.entry_json text (or a JSON string holding one): its bytes, for locateEnvelopes.
  if (/^[{["]/.test(trimmed)) return new TextEncoder().encode(trimmed);
  const bytes = /^(0x)?[0-9a-fA-F]+$/.test(trimmed) ? fromHex(trimmed) : fromBase64(trimmed);
  if (bytes === undefined) throw new CliUsageError("invalid_option", "<value> is neither base64 nor hex");
  return bytes;
}
