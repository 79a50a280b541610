import { CliUsageError, defineCommand } from "@restate-connect/cli-kit";
import { formatInvocationReport } from "../show/format-text.js";
import { showInvocation } from "../show/show-invocation.js";
import { INVOCATION_ID_PATTERN } from "../show/sql.js";
import { ADMIN_OPTIONS, connectAdmin } from "./admin.js";
import { JournalCliError } from "./errors.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";

export const showCommand = defineCommand({
  name: "show",
  usage: "<invocation-id>",
  summary: "Show an invocation's status, journal and object state, every value decrypted here",
  details: [
    "Reads the invocation through the admin SQL API (sys_invocation, sys_journal, state, sys_promise) and",
    "decrypts each value on this machine with the keys given. A value that cannot be decrypted is shown with",
    "the reason: unknown_key, key_not_allowed, tampered, no_keys_for_provider, invalid_envelope. Plaintext",
    "values are shown and flagged. Failures (code and message) are stored by Restate as sent; they are not",
    "encrypted by the codec.",
  ].join("\n"),
  args: { min: 1, max: 1 },
  options: { ...ADMIN_OPTIONS, ...KEY_OPTIONS },
  async run(context) {
    const id = (context.args[0] as string).trim();
    if (!INVOCATION_ID_PATTERN.test(id)) {
      throw new CliUsageError("invalid_option", "<invocation-id> must look like inv_1l3Hc716hrBy3V4Zg0RhObtK…");
    }
    const keys = await keyRingFromFlags(context, { active: "none" });
    const admin = await connectAdmin(context);
    const report = await showInvocation(admin, id, keys);
    if (report === undefined) {
      throw new JournalCliError(
        "invalid_value",
        `the server has no invocation ${id} (a wrong id, or completed and past its retention)`,
      );
    }
    context.print(() => formatInvocationReport(report), report);
    return 0;
  },
});
