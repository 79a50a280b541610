import { defineCommand } from "@restate-connect/cli-kit";
import type { KeyProvider } from "../key-provider.js";
import { type AuditReport, auditState } from "../state/audit.js";
import { cachingKeyProvider } from "../state/key-cache.js";
import { connectAdmin } from "./admin.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";
import { STATE_OPTIONS } from "./state-options.js";

function human(report: AuditReport): string {
  const lines: string[] = [];
  for (const service of report.services) {
    lines.push(`${service.service}: ${service.values} values in ${service.objects} objects`);
    for (const [key, n] of Object.entries(service.keys)) lines.push(`  ${n} under ${key}`);
    if (service.plaintext > 0) lines.push(`  ${service.plaintext} plaintext`);
    if (service.referenceFormat > 0) lines.push(`  ${service.referenceFormat} in the reference codec's format`);
    for (const [code, n] of Object.entries(service.undecodable)) lines.push(`  ${n} undecodable: ${code}`);
    if (service.notAllowed > 0) lines.push(`  ${service.notAllowed} under keys outside --allow-key`);
  }
  if (report.services.length === 0) lines.push("no stored state");
  const shown = report.findings.slice(0, 10);
  if (shown.length > 0) lines.push(shown.length < report.findings.length ? "first findings:" : "findings:");
  for (const f of shown) {
    lines.push(
      `  ${f.service}/${f.objectKey} [${f.stateKey}]: ${f.finding.replace("_", " ")}${f.detail ? ` (${f.detail})` : ""}`,
    );
  }
  lines.push(report.clean ? "clean" : "NOT clean (--json lists up to 100 findings)");
  return lines.join("\n");
}

export const auditCommand = defineCommand({
  name: "audit",
  summary: "Count stored state values per service by key, plaintext, reference format, undecodable",
  details: [
    "Reads every state value through the admin SQL API. Needs no keys; with keys it also decrypts",
    "every value it can, to find values that do not open. With --allow-key, values under any other",
    "key (and reference-format values) are findings. Exit 1 when anything is plaintext, outside the",
    "allow-list or undecodable, so CI can enforce it.",
  ].join("\n"),
  options: { ...STATE_OPTIONS, ...KEY_OPTIONS },
  async run(context) {
    const ring = await keyRingFromFlags(context, { active: "none", requireKeys: false });
    const verifyWith = (["local", "aws-kms"] as const)
      .map((kind) => ring.providerFor(kind))
      .filter((provider): provider is KeyProvider => provider !== undefined)
      .map(cachingKeyProvider);
    const admin = await connectAdmin(context);
    const allowed = [...context.flags.strings("allow-key"), ...(ring.active ? [ring.active.keyId] : [])];
    try {
      const report = await auditState({
        admin,
        services: context.flags.strings("service"),
        ...(allowed.length > 0 ? { allowedKeyIds: allowed } : {}),
        ...(verifyWith.length > 0 ? { verifyWith } : {}),
      });
      context.print(() => human(report), report);
      return report.clean ? 0 : 1;
    } finally {
      for (const provider of verifyWith) provider.wipe();
    }
  },
});
