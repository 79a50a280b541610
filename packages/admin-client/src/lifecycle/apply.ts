import type { AdminClient } from "../client.js";
import { InvalidOptionError } from "../errors.js";
import { deploymentKey } from "./address.js";
import { redactorOf } from "./config.js";
import { ApplyIncompleteError, PlanStaleError } from "./errors.js";
import {
  deploymentChanges,
  deploymentUpdate,
  indexByKey,
  type Plan,
  type PlanInternals,
  type PlannedChange,
  planInternals,
  registeredAddress,
  registerOptionsOf,
  serviceChanges,
  serviceUpdate,
  targetOf,
} from "./plan.js";
import { redactError } from "./redact-error.js";

export interface ApplyOptions {
  /** Called before each change, e.g. to print progress. */
  onChange?: (change: PlannedChange) => void;
}

export interface ApplyResult {
  /** The changes made, as carried out (which can differ from the plan when others changed the server meanwhile). */
  applied: PlannedChange[];
  /** Plan changes that turned out to be done already (e.g. another pipeline registered the same deployment). */
  alreadyDone: PlannedChange[];
}

/**
 * Makes the live server match the configuration a plan was computed from.
 *
 * Before changing anything it checks that no service a planned registration provides has been given a
 * new revision since the plan (another pipeline registered a deployment): registering then would
 * silently supersede that deployment, so apply stops with `PlanStaleError` and changes nothing. Each
 * later step re-reads the server and computes its change afresh, so settings reset by a concurrent
 * registration are set again, and a second apply finds nothing to do.
 *
 * @example
 * const p = await plan(admin, config);
 * const { applied } = await apply(admin, p);
 */
export async function apply(admin: AdminClient, plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const internals = planInternals.get(plan);
  if (internals === undefined) throw new InvalidOptionError("plan", "not a plan returned by plan()");
  const applied: PlannedChange[] = [];
  try {
    return await applyPlan(admin, plan, internals, options, applied);
  } catch (error) {
    const hidden = redactError(error, redactorOf(internals.config));
    // Restate has no transactions: what was changed before the failure stays changed, so say what it was.
    throw applied.length > 0 ? new ApplyIncompleteError(applied, hidden) : hidden;
  }
}

async function applyPlan(
  admin: AdminClient,
  plan: Plan,
  internals: PlanInternals,
  options: ApplyOptions,
  applied: PlannedChange[],
): Promise<ApplyResult> {
  const { config } = internals;
  const hide = redactorOf(config);
  const alreadyDone: PlannedChange[] = [];
  const planned = plan.changes;

  // The revision each service must still have for the planned registrations to be what was planned.
  const expected = new Map<string, number | null>();
  for (const registration of internals.registrations) {
    for (const [name, revision] of registration.revisions) if (!expected.has(name)) expected.set(name, revision);
  }
  const ours = new Set(internals.registrations.map((r) => r.key));
  const checkRevisions = async (names: Iterable<string>) => {
    const live = new Map((await admin.services.list()).map((s) => [s.name, s]));
    let byId: Map<string, string> | undefined;
    for (const name of names) {
      const revision = expected.get(name) ?? null;
      const now = live.get(name);
      if ((now?.revision ?? null) === revision) continue;
      // Another apply of the same configuration registered one of our deployments: not a conflict.
      byId ??= new Map((await admin.deployments.list()).map((d) => [d.id, deploymentKey(d)]));
      const servedBy = now === undefined ? undefined : byId.get(now.deployment_id);
      if (now !== undefined && servedBy !== undefined && ours.has(servedBy)) {
        expected.set(name, now.revision);
        continue;
      }
      throw new PlanStaleError(
        `${name} changed since the plan (revision ${revision ?? "none"} → ${now?.revision ?? "none"}, now served by ${now?.deployment_id ?? "nothing"}): ` +
          "registering would supersede that deployment; plan again",
      );
    }
  };
  await checkRevisions(expected.keys());

  const registerChanges = planned.filter((c) => c.kind === "register_deployment");
  for (const [index, registration] of internals.registrations.entries()) {
    const change = registerChanges[index] as PlannedChange;
    const present = indexByKey(await admin.deployments.list()).get(registration.key);
    if (present !== undefined) {
      alreadyDone.push(change);
      continue;
    }
    // Again right before this registration: the window to a concurrent registration stays as small as
    // two requests (Restate has no conditional registration).
    await checkRevisions(registration.revisions.keys());
    options.onChange?.(change);
    const result = await admin.deployments.register(
      targetOf(registration.deployment),
      registerOptionsOf(registration.deployment),
    );
    for (const s of result.services) expected.set(s.name, s.revision);
    applied.push(change);
  }

  const byKey = indexByKey(await admin.deployments.list());
  for (const deployment of config.deployments) {
    const existing = byKey.get(deploymentKey(targetOf(deployment)));
    if (existing === undefined) continue;
    const fields = deploymentChanges(existing, deployment);
    if (fields.length === 0) continue;
    const change: PlannedChange = {
      kind: "update_deployment",
      id: existing.id,
      address: hide(registeredAddress(existing)),
      fields,
    };
    options.onChange?.(change);
    await admin.deployments.update(existing.id, deploymentUpdate(existing, deployment));
    applied.push(change);
  }

  for (const [name, declared] of Object.entries(config.services)) {
    const fields = serviceChanges(await admin.services.get(name), declared);
    if (fields.length === 0) continue;
    const change: PlannedChange = { kind: "update_service", service: name, fields };
    options.onChange?.(change);
    await admin.services.update(name, serviceUpdate(fields));
    applied.push(change);
  }

  if (config.subscriptions.length > 0) {
    const existing = await admin.subscriptions.list();
    for (const wanted of config.subscriptions) {
      if (existing.some((s) => s.source === wanted.source && s.sink === wanted.sink)) continue;
      const change: PlannedChange = {
        kind: "create_subscription",
        source: hide(wanted.source),
        sink: hide(wanted.sink),
        options: Object.fromEntries(Object.entries(wanted.options ?? {}).map(([k, v]) => [k, hide(v)])),
      };
      options.onChange?.(change);
      await admin.subscriptions.create({ source: wanted.source, sink: wanted.sink, options: wanted.options });
      applied.push(change);
    }
  }

  for (const change of planned) {
    if (change.kind === "register_deployment") continue;
    const done = applied.some((a) => sameTarget(a, change));
    if (!done) alreadyDone.push(change);
  }
  return { applied, alreadyDone };
}

function sameTarget(a: PlannedChange, b: PlannedChange): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "update_deployment" && b.kind === "update_deployment") return a.id === b.id;
  if (a.kind === "update_service" && b.kind === "update_service") return a.service === b.service;
  if (a.kind === "create_subscription" && b.kind === "create_subscription") {
    return a.source === b.source && a.sink === b.sink;
  }
  return false;
}
