import { defineCommand, EXIT, parseFlag } from "@restate-connect/cli-kit";
import { type PruneDecision, prune } from "../../lifecycle/prune.js";
import { redactUrlSecrets } from "../../redact.js";
import { adminClientFor } from "../context.js";
import { renderTable } from "../table.js";

export const deploymentsPrune = defineCommand({
  name: "deployments prune",
  summary: "Remove drained deployments beyond the newest N per service",
  details: [
    "A deployment is removed only when it is drained: it serves the latest revision of none of its services",
    "and no invocation that is not completed is pinned to it (or last ran on it). Each deployment is checked",
    "again right before it is deleted; one that was given an invocation or made latest again since is kept.",
    "After each delete, invocations still naming the deployment are reported as orphaned (exit code 1).",
    "--json prints { dry_run, keep, removed: [...], kept: [...], orphaned: [...] }, each deployment with its",
    "status, bound_invocations, reason (active, draining, within_keep, drained, bound_at_recheck,",
    "active_at_recheck, already_removed, stopped) and detail. After an orphaned invocation prune stops deleting.",
  ].join("\n"),
  options: {
    keep: {
      type: "string",
      value: "<n>",
      description: "Per service, keep the n newest deployments whatever their status (default 1)",
    },
    "dry-run": { type: "boolean", description: "Report what would be removed, remove nothing" },
  },
  async run(context) {
    const keepText = context.flags.string("keep");
    const keep =
      keepText === undefined
        ? 1
        : parseFlag("keep", () => {
            if (!/^\d{1,6}$/.test(keepText)) throw new RangeError(`expects a whole number ≥ 0, got "${keepText}"`);
            return Number(keepText);
          });
    const dryRun = context.flags.boolean("dry-run");
    const report = await prune(adminClientFor(context), {
      keep,
      dryRun,
      onProgress: ({ deployment, phase }) => context.progress(`… ${deployment}: ${phase}`),
    });
    context.print(
      () => {
        const verb = dryRun ? "would remove" : "removed";
        const rows = [...report.removed, ...report.kept].map((d) => [
          d.id,
          d.action === "remove" ? verb : "keep",
          d.status,
          d.reason,
          d.detail,
          redactUrlSecrets(d.address),
        ]);
        const lines = [renderTable(["deployment", "action", "status", "reason", "detail", "address"], rows)];
        for (const o of report.orphaned) {
          lines.push(`orphaned: ${o.deployment} was removed while ${o.invocations.join(", ")} still named it`);
        }
        if (report.orphaned.length > 0) {
          lines.push(
            "Restate keeps retrying them (deployment not found in the registry). If the latest deployment can replay",
            "their journals, pause each one and resume it with deployment=latest (admin.invocations.pause/resume).",
          );
        }
        return lines.join("\n");
      },
      {
        dry_run: report.dryRun,
        keep: report.keep,
        removed: report.removed.map(decisionJson),
        kept: report.kept.map(decisionJson),
        orphaned: report.orphaned,
      },
    );
    return report.orphaned.length > 0 ? EXIT.failed : EXIT.ok;
  },
});

function decisionJson(d: PruneDecision) {
  return {
    id: d.id,
    address: redactUrlSecrets(d.address),
    services: d.services,
    status: d.status,
    bound_invocations: d.boundInvocations,
    reason: d.reason,
    detail: d.detail,
  };
}
