import { defineCommand } from "@restate-connect/cli-kit";
import { inspectEnvelope } from "../inspect.js";
import { readValue } from "./value.js";

export const inspectCommand = defineCommand({
  name: "inspect",
  usage: "<value>",
  summary: "Show an envelope's header (format version, provider, key id, sizes); needs no key",
  details: "<value> is base64, hex, @<file> or - for standard input. The output is JSON, with or without --json.",
  args: { min: 1, max: 1 },
  async run(context) {
    const info = inspectEnvelope(await readValue(context.args[0] as string, context));
    context.io.stdout(JSON.stringify(info, null, 2));
    return 0;
  },
});
