import { defineCommand, jsonTerminalSafe } from "@restate-connect/cli-kit";
import { inspectEnvelope, inspectValue } from "../inspect.js";
import { locateEnvelopes } from "../show/locate-envelopes.js";
import { readValue } from "./value.js";

export const inspectCommand = defineCommand({
  name: "inspect",
  usage: "<value>",
  summary: "Show an envelope's header (format version, provider, key id, sizes); needs no key",
  details: [
    "<value> is base64, hex, @<file> or - for standard input: a stored value, a sys_journal.raw entry (hex),",
    "or a sys_journal.entry_json text (then every encrypted value in it is listed, with its path).",
    "The output is JSON, with or without --json.",
  ].join("\n"),
  args: { min: 1, max: 1 },
  async run(context) {
    const input = await readValue(context.args[0] as string, context);
    const located = locateEnvelopes(input);
    if (located.length === 0 || (located.length === 1 && located[0]?.path === "")) {
      // One value: its header, or the library's error (not_encrypted, invalid_envelope…).
      // JSON with or without --json: key ids come from the stored value, so nothing in it may steer the terminal.
      context.io.stdout(jsonTerminalSafe(JSON.stringify(inspectEnvelope(input), null, 2)));
      return 0;
    }
    const values = located.map(({ path, bytes }) => ({ path, ...inspectValue(bytes) }));
    context.io.stdout(jsonTerminalSafe(JSON.stringify({ values }, null, 2)));
    return 0;
  },
});
