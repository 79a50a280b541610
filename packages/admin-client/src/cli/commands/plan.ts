import { CliUsageError, defineCommand, EXIT } from "@restate-connect/cli-kit";
import { apply } from "../../lifecycle/apply.js";
import { redactorOf } from "../../lifecycle/config.js";
import { type Plan, type PlannedChange, plan } from "../../lifecycle/plan.js";
import { redactUrlSecrets } from "../../redact.js";
import { loadConfigFile } from "../config-file.js";
import { adminClientFor } from "../context.js";

const FILE_OPTION = {
  file: {
    type: "string",
    short: "f",
    value: "<restate.yaml>",
    description:
      "The configuration (YAML, or JSON when it ends in .json; - for standard input); ${VAR} is read from the environment",
  },
} as const;

export const planCommand = defineCommand({
  name: "plan",
  summary: "Show what apply would change on the server to match a configuration file",
  details: [
    "Compares the file with the live server: deployments to register (found by a dry-run registration),",
    "header, assume-role and HTTP version changes of registered deployments, service settings and",
    "subscriptions to create. Nothing is ever removed (see deployments prune). Header values never appear.",
    "--json prints { has_changes, changes: [...], warnings: [...] }.",
    "With --detailed-exitcode (Terraform's convention): 0 no changes, 2 changes, 1 any failure.",
  ].join("\n"),
  options: {
    ...FILE_OPTION,
    "detailed-exitcode": { type: "boolean", description: "Exit 0 for no changes, 2 for changes, 1 for failures" },
  },
  failureExitCode: (argv) => (argv.includes("--detailed-exitcode") ? EXIT.failed : undefined),
  async run(context) {
    const config = await loadConfigFile(requireFile(context.flags.string("file")), context.io.env, context.io.stdin);
    const result = await plan(adminClientFor(context, {}, redactorOf(config)), config);
    context.print(() => renderPlan(result), planJson(result));
    return context.flags.boolean("detailed-exitcode") && result.hasChanges ? 2 : EXIT.ok;
  },
});

export const applyCommand = defineCommand({
  name: "apply",
  summary: "Make the server match a configuration file (idempotent: a second apply changes nothing)",
  details: [
    "Plans, then applies. Before changing anything it checks that no service a registration provides has",
    "been registered by someone else since the plan (code plan_stale, exit 1, nothing changed). Service",
    "settings are compared again after registering, because Restate resets them for a new revision.",
    "--json prints { applied: [...], already_done: [...], warnings: [...] }.",
  ].join("\n"),
  options: FILE_OPTION,
  async run(context) {
    const config = await loadConfigFile(requireFile(context.flags.string("file")), context.io.env, context.io.stdin);
    const admin = adminClientFor(context, {}, redactorOf(config));
    const planned = await plan(admin, config);
    const result = await apply(admin, planned, { onChange: (c) => context.progress(`… ${describe(c)}`) });
    context.print(
      () =>
        [
          ...(result.applied.length === 0
            ? ["No changes: the server matches the configuration."]
            : [`Applied ${result.applied.length} change(s):`, ...result.applied.flatMap(renderChange)]),
          ...(planned.warnings.length > 0 ? ["Warnings:", ...planned.warnings.map((w) => `  ! ${w}`)] : []),
        ].join("\n"),
      { applied: result.applied, already_done: result.alreadyDone, warnings: planned.warnings },
    );
    return undefined;
  },
});

function requireFile(file: string | undefined): string {
  if (file === undefined || file === "") {
    throw new CliUsageError("missing_option", "--file is required (e.g. -f restate.yaml)");
  }
  return file;
}

export function planJson(result: Plan) {
  return { has_changes: result.hasChanges, changes: result.changes, warnings: result.warnings };
}

export function renderPlan(result: Plan): string {
  const lines = result.hasChanges
    ? [`Plan: ${result.changes.length} change(s)`, ...result.changes.flatMap(renderChange)]
    : ["No changes: the server matches the configuration."];
  if (result.warnings.length > 0) lines.push("Warnings:", ...result.warnings.map((w) => `  ! ${w}`));
  return lines.join("\n");
}

function describe(change: PlannedChange): string {
  switch (change.kind) {
    case "register_deployment":
      return `register ${redactUrlSecrets(change.address)}`;
    case "update_deployment":
      return `update deployment ${change.id} (${redactUrlSecrets(change.address)})`;
    case "update_service":
      return `update service ${change.service}`;
    case "create_subscription":
      return `create subscription ${change.source} → ${change.sink}`;
  }
}

function renderChange(change: PlannedChange): string[] {
  const sign = change.kind === "register_deployment" || change.kind === "create_subscription" ? "+" : "~";
  const head = `  ${sign} ${describe(change)}`;
  switch (change.kind) {
    case "register_deployment":
      return [
        head,
        ...change.services.map((s) => `      service ${s.name} (${s.type}) → revision ${s.revision}`),
        ...(change.headers.length > 0 ? [`      headers: ${change.headers.join(", ")} (values hidden)`] : []),
      ];
    case "update_deployment":
    case "update_service":
      return [head, ...change.fields.map((f) => `      ${f.field}: ${show(f.from)} → ${show(f.to)}`)];
    case "create_subscription":
      return [head];
  }
}

function show(value: string | boolean | null): string {
  return value === null ? "(none)" : String(value);
}
