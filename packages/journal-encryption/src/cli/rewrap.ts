import { CliUsageError, defineCommand, invalidFlag } from "@restate-connect/cli-kit";
import { createJournalCodec } from "../codec.js";
import type { KeyProvider } from "../key-provider.js";
import { cachingKeyProvider } from "../state/key-cache.js";
import { rewrapState } from "../state/rewrap.js";
import { connectAdmin } from "./admin.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";
import { printRewriteReport, progressPrinter, REWRITE_OPTIONS, STATE_OPTIONS, waitMs } from "./state-options.js";

/** A KMS key ARN or bare key id (not an alias). */
const KMS_KEY = /^arn:aws[\w-]*:kms:[^:]*:[^:]*:key\/[\w-]+$|^(mrk-)?[0-9a-f-]{32,36}$/;

export const rewrapCommand = defineCommand({
  name: "rewrap",
  summary: "Re-seal state values under the active key: from retired keys or the reference format",
  details: [
    "--from-key <id> (repeatable) names the keys to retire: local key ids (give their keys too) or, with",
    "--kms, KMS key ARNs. --from-reference-format re-seals values of Restate's reference codec (with --kms).",
    "Same guarantees as migrate: versioned, read back, retried on conflict, safe to re-run.",
  ].join("\n"),
  options: {
    ...STATE_OPTIONS,
    ...REWRITE_OPTIONS,
    ...KEY_OPTIONS,
    "from-key": { type: "string", multiple: true, value: "<id>", description: "A key whose values are re-sealed" },
    "from-reference-format": { type: "boolean", description: "Re-seal values of Restate's reference codec" },
  },
  async run(context) {
    const fromKeys = context.flags.strings("from-key");
    const fromReference = context.flags.boolean("from-reference-format");
    if (fromKeys.length === 0 && !fromReference) {
      throw new CliUsageError("missing_option", "rewrap needs --from-key <id> or --from-reference-format");
    }
    if (fromReference && !context.flags.boolean("kms")) {
      throw invalidFlag("from-reference-format", "needs --kms: the reference codec always uses KMS");
    }
    const dryRun = context.flags.boolean("dry-run");
    const ring = await keyRingFromFlags(context, {
      active: "required",
      extraKmsKeys: fromKeys.filter((id) => KMS_KEY.test(id)),
    });
    const active = ring.active as NonNullable<typeof ring.active>;
    if (fromKeys.includes(active.keyId)) throw invalidFlag("from-key", "names the active key: nothing would change");
    for (const id of fromKeys) {
      if (ring.localKeyIds.includes(id)) continue;
      if (/^alias\/|:alias\//.test(id)) {
        throw invalidFlag("from-key", `names an alias ("${id}"): give the key ARN (an alias can be re-pointed)`);
      }
      if (!(context.flags.boolean("kms") && KMS_KEY.test(id))) {
        throw invalidFlag(
          "from-key",
          `names key "${id}", which is neither a local key given nor, with --kms, a KMS key ARN or key id`,
        );
      }
    }
    const keyProviders = (["local", "aws-kms"] as const)
      .map((kind) => ring.providerFor(kind))
      .filter((provider): provider is KeyProvider => provider !== undefined)
      .map(cachingKeyProvider);
    const admin = await connectAdmin(context);
    const codec = dryRun ? undefined : await createJournalCodec({ keyProvider: active.provider });
    try {
      const report = await rewrapState({
        admin,
        codec: codec ?? { encode: () => new Uint8Array(0) },
        activeKey: { provider: active.kind, keyId: active.keyId },
        fromKeyIds: fromKeys,
        fromReferenceFormat: fromReference,
        keyProviders,
        dryRun,
        confirmTimeoutMs: waitMs(context),
        services: context.flags.strings("service"),
        onEvent: progressPrinter(context, "re-sealed"),
      });
      return printRewriteReport(context, report, "re-sealed");
    } finally {
      codec?.close();
      for (const provider of keyProviders) provider.wipe();
    }
  },
});
