import { defineCommand } from "@restate-connect/cli-kit";
import { createJournalCodec } from "../codec.js";
import { migrateState } from "../state/migrate.js";
import { connectAdmin } from "./admin.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";
import { printRewriteReport, progressPrinter, REWRITE_OPTIONS, STATE_OPTIONS, waitMs } from "./state-options.js";

export const migrateCommand = defineCommand({
  name: "migrate",
  summary: "Encrypt plaintext state values of virtual objects and workflows in place",
  details: [
    "Each object is rewritten with a versioned modify-state and read back: a change that a concurrent",
    "writer overtook is retried on the fresh state, never forced. Safe to re-run: encrypted values are",
    "skipped. Progress on stderr. Exit 1 when an object stays unconfirmed or a value fails.",
  ].join("\n"),
  options: { ...STATE_OPTIONS, ...REWRITE_OPTIONS, ...KEY_OPTIONS },
  async run(context) {
    const dryRun = context.flags.boolean("dry-run");
    const ring = await keyRingFromFlags(context, { active: dryRun ? "none" : "required", requireKeys: !dryRun });
    const admin = await connectAdmin(context);
    const codec = dryRun || !ring.active ? undefined : await createJournalCodec({ keyProvider: ring.active.provider });
    try {
      const report = await migrateState({
        admin,
        codec: codec ?? { encode: () => new Uint8Array(0) },
        dryRun,
        confirmTimeoutMs: waitMs(context),
        services: context.flags.strings("service"),
        onEvent: progressPrinter(context, "encrypted"),
      });
      return printRewriteReport(context, report, "encrypted");
    } finally {
      codec?.close();
    }
  },
});
