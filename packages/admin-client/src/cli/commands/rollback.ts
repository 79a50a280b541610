import { defineCommand } from "@restate-connect/cli-kit";
import { rollback } from "../../lifecycle/rollback.js";
import { redactUrlSecrets } from "../../redact.js";
import { adminClientFor } from "../context.js";

export const deploymentsRollback = defineCommand({
  name: "deployments rollback",
  usage: "<service>",
  summary: "Make the earlier deployment of a service serve new invocations again",
  args: { min: 1, max: 1 },
  details: [
    "Restate 1.7 sends new invocations to the deployment holding a service's highest revision. Rollback",
    "re-registers the earlier deployment's address with force, which overwrites that deployment in place",
    "(same id) with revisions above the live ones, then puts back the service settings (public, retention,",
    "timeouts) the re-registration reset. It refuses (exit code 1, code rollback_refused) when no earlier",
    "deployment is registered, when the address no longer serves the services and handlers that deployment",
    "registered, when another service of that deployment is served elsewhere, and on a service type change",
    "unless --breaking. Invocations pinned to the newer deployment finish there.",
  ].join("\n"),
  options: {
    to: {
      type: "string",
      value: "<deployment-id>",
      description: "The deployment to return to (default: the previous one)",
    },
    "dry-run": { type: "boolean", description: "Check everything, including discovery, and change nothing" },
    breaking: { type: "boolean", description: "Allow a service to change type (e.g. object to service)" },
  },
  async run(context) {
    const service = context.args[0] as string;
    const to = context.flags.string("to");
    const result = await rollback(adminClientFor(context), service, {
      ...(to === undefined ? {} : { to }),
      dryRun: context.flags.boolean("dry-run"),
      breaking: context.flags.boolean("breaking"),
    });
    context.print(
      () =>
        [
          `${result.dryRun ? "would roll back" : "rolled back"} ${result.services.join(", ")}: ${result.from.id} → ${result.to.id} (${redactUrlSecrets(result.to.address)})`,
          ...result.restoredSettings.map((r) => `restored ${r.service} settings: ${r.settings.join(", ")}`),
        ].join("\n"),
      {
        service: result.service,
        dry_run: result.dryRun,
        from: result.from,
        to: result.to,
        services: result.services,
        restored_settings: result.restoredSettings,
      },
    );
    return undefined;
  },
});
