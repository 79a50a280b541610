import type { AdminClient } from "../client.js";
import { AdminApiError, InvalidOptionError } from "../errors.js";
import type { ListedDeployment } from "../operations/deployments.js";
import type { DeploymentResponse } from "../types.js";
import { deploymentAddress, sqlString } from "./address.js";
import { PruneIncompleteError } from "./errors.js";
import type { DeploymentStatus, DeploymentUsage } from "./status.js";

/** Why a deployment is kept or removed. */
export const PRUNE_REASONS = [
  /** It serves the latest revision of a service. */
  "active",
  /** Superseded, but invocations are still bound to it. */
  "draining",
  /** Among the newest `keep` deployments of one of its services. */
  "within_keep",
  /** Superseded and nothing is bound to it: removed (or, with `dryRun`, would be). */
  "drained",
  /** Planned for removal, but the check right before the delete found invocations bound to it. */
  "bound_at_recheck",
  /** Planned for removal, but the check right before the delete found it serving a service again. */
  "active_at_recheck",
  /** Planned for removal, but someone else removed it first. */
  "already_removed",
  /** Planned for removal, not attempted: an earlier delete left an orphaned invocation. */
  "stopped",
] as const;

export type PruneReason = (typeof PRUNE_REASONS)[number];

export interface PruneOptions {
  /** Per service, keep this many of the newest deployments hosting it, whatever their status. Default 1. */
  keep?: number;
}

/** One deployment and what prune does with it. */
export interface PruneDecision {
  id: string;
  /** The URL or Lambda ARN. */
  address: string;
  services: { name: string; revision: number }[];
  status: DeploymentStatus;
  boundInvocations: number;
  action: "keep" | "remove";
  reason: PruneReason;
  /** e.g. `latest for Greeter`, `3 invocations bound`, `newest 2 of Greeter`. */
  detail: string;
}

export interface PrunePlan {
  keep: number;
  decisions: PruneDecision[];
}

export interface PruneReport extends PrunePlan {
  dryRun: boolean;
  removed: PruneDecision[];
  kept: PruneDecision[];
  /**
   * Invocations found bound to a deployment after it was removed. Restate 1.7 has no conditional delete,
   * so an invocation bound in the instant between the last check and the delete is reported here,
   * never silently; prune then stops deleting (the rest are kept with reason `stopped`).
   */
  orphaned: { deployment: string; invocations: string[] }[];
}

export interface ExecutePruneOptions {
  /** Report what would be removed, remove nothing. Default false. */
  dryRun?: boolean;
  /** Called (and awaited) before and after each removal, e.g. to print progress. */
  onProgress?: (event: {
    deployment: string;
    phase: "rechecking" | "removing" | "removed" | "kept";
  }) => void | Promise<void>;
}

/**
 * Decides which deployments can go: drained ones beyond the newest `keep` per service. Removes nothing.
 *
 * @example
 * const plan = await planPrune(admin, { keep: 2 });
 * for (const d of plan.decisions) console.log(d.id, d.action, d.reason, d.detail);
 */
export async function planPrune(admin: AdminClient, options: PruneOptions = {}): Promise<PrunePlan> {
  const keep = options.keep ?? 1;
  if (!Number.isInteger(keep) || keep < 0) throw new InvalidOptionError("keep", "must be an integer ≥ 0");
  // list() reads the deployments first, then their usage: a deployment registered in between can only
  // make an older one look superseded, never a new one look drained.
  const deployments = await admin.deployments.list();
  const newest = newestPerService(deployments, keep);
  const decisions = deployments.map((deployment): PruneDecision => {
    const usage = usageFromList(deployment);
    const base = {
      id: deployment.id,
      address: deploymentAddress(deployment),
      services: deployment.services.map((s) => ({ name: s.name, revision: s.revision })),
      status: usage.status,
      boundInvocations: usage.boundInvocations,
    };
    if (usage.status === "active") {
      return { ...base, action: "keep", reason: "active", detail: `latest for ${usage.latestFor.join(", ")}` };
    }
    if (usage.status === "draining") {
      return { ...base, action: "keep", reason: "draining", detail: `${usage.boundInvocations} invocations bound` };
    }
    const within = deployment.services.filter((s) => newest.get(s.name)?.has(deployment.id));
    if (within.length > 0) {
      return {
        ...base,
        action: "keep",
        reason: "within_keep",
        detail: `among the newest ${keep} of ${within.map((s) => s.name).join(", ")}`,
      };
    }
    return { ...base, action: "remove", reason: "drained", detail: "superseded, no invocations bound" };
  });
  return { keep, decisions };
}

/**
 * Carries out a prune plan. Right before each delete the deployment is checked again (bound invocations
 * first, then whether it serves a service again); if anything is bound to it now, it is kept. After each
 * delete, invocations still naming the deployment are looked for and reported as `orphaned`.
 *
 * Restate 1.7's `DELETE /deployments/{id}` only supports `force=true` (without it the server answers
 * 501), so the re-check is what stands between prune and a broken invocation.
 *
 * @example
 * const report = await executePrune(admin, await planPrune(admin, { keep: 1 }));
 * console.log(report.removed.map((d) => d.id));
 */
export async function executePrune(
  admin: AdminClient,
  plan: PrunePlan,
  options: ExecutePruneOptions = {},
): Promise<PruneReport> {
  const dryRun = options.dryRun ?? false;
  const decisions: PruneDecision[] = [];
  const orphaned: PruneReport["orphaned"] = [];
  try {
    await carryOut(admin, plan, options, dryRun, decisions, orphaned);
  } catch (error) {
    // Deletes cannot be undone: a failure after one must still say what is gone.
    const removed = decisions.filter((d) => d.action === "remove");
    throw removed.length > 0 && !dryRun ? new PruneIncompleteError(removed, orphaned, error) : error;
  }
  return {
    keep: plan.keep,
    dryRun,
    decisions,
    removed: decisions.filter((d) => d.action === "remove"),
    kept: decisions.filter((d) => d.action === "keep"),
    orphaned,
  };
}

async function carryOut(
  admin: AdminClient,
  plan: PrunePlan,
  options: ExecutePruneOptions,
  dryRun: boolean,
  decisions: PruneDecision[],
  orphaned: PruneReport["orphaned"],
): Promise<void> {
  for (const planned of plan.decisions) {
    if (planned.action !== "remove" || dryRun) {
      decisions.push(planned);
      continue;
    }
    if (orphaned.length > 0) {
      // Someone is binding invocations to superseded deployments right now: stop deleting.
      decisions.push({
        ...planned,
        action: "keep",
        reason: "stopped",
        detail: "not attempted after an orphaned invocation",
      });
      continue;
    }
    await options.onProgress?.({ deployment: planned.id, phase: "rechecking" });
    const now = await recheck(admin, planned);
    if (now.action === "keep") {
      await options.onProgress?.({ deployment: planned.id, phase: "kept" });
      decisions.push(now);
      continue;
    }
    await options.onProgress?.({ deployment: planned.id, phase: "removing" });
    const gone = await admin.deployments.remove(planned.id, { force: true }).then(
      () => false,
      (error: unknown) => {
        // Another prune (two pipelines at once) removed it between the re-check and this delete.
        if (error instanceof AdminApiError && error.status === 404) return true;
        throw error;
      },
    );
    if (gone) {
      decisions.push({ ...now, action: "keep", reason: "already_removed", detail: "removed by someone else" });
      continue;
    }
    decisions.push(now);
    await options.onProgress?.({ deployment: planned.id, phase: "removed" });
    const left = await boundInvocationIds(admin, planned.id);
    if (left.length > 0) orphaned.push({ deployment: planned.id, invocations: left });
  }
}

/**
 * Plans and carries out a prune in one call.
 *
 * @example
 * const { removed, kept } = await prune(admin, { keep: 2, dryRun: true });
 */
export async function prune(
  admin: AdminClient,
  options: PruneOptions & ExecutePruneOptions = {},
): Promise<PruneReport> {
  return executePrune(admin, await planPrune(admin, options), options);
}

/**
 * A fresh look at one deployment. Within `list()`, bound invocations are read before the latest
 * deployments: a superseded deployment only gets new invocations by becoming latest again, so reading
 * `sys_service` last catches one that was made latest (and given invocations) meanwhile.
 */
async function recheck(admin: AdminClient, planned: PruneDecision): Promise<PruneDecision> {
  const current = (await admin.deployments.list()).find((d) => d.id === planned.id);
  if (current === undefined) {
    return { ...planned, action: "keep", reason: "already_removed", detail: "no longer registered" };
  }
  const usage = usageFromList(current);
  const base = { ...planned, status: usage.status, boundInvocations: usage.boundInvocations };
  if (usage.status === "active") {
    return {
      ...base,
      action: "keep",
      reason: "active_at_recheck",
      detail: `latest for ${usage.latestFor.join(", ")} again`,
    };
  }
  if (usage.status === "draining") {
    return {
      ...base,
      action: "keep",
      reason: "bound_at_recheck",
      detail: `${usage.boundInvocations} invocations bound since the plan`,
    };
  }
  return base;
}

async function boundInvocationIds(admin: AdminClient, deploymentId: string): Promise<string[]> {
  const id = sqlString(deploymentId);
  const rows = await admin.query<{ id: string }>(
    `SELECT id FROM sys_invocation WHERE status != 'completed' AND (pinned_deployment_id = ${id} OR last_attempt_deployment_id = ${id})`,
  );
  return rows.map((r) => r.id);
}

/** Service name → ids of its `keep` newest deployments, newest by the service revision they host. */
function newestPerService(deployments: readonly DeploymentResponse[], keep: number): Map<string, Set<string>> {
  const byService = new Map<string, { id: string; revision: number }[]>();
  for (const deployment of deployments) {
    for (const service of deployment.services) {
      const list = byService.get(service.name) ?? [];
      list.push({ id: deployment.id, revision: service.revision });
      byService.set(service.name, list);
    }
  }
  const newest = new Map<string, Set<string>>();
  for (const [name, list] of byService) {
    list.sort((a, b) => b.revision - a.revision);
    newest.set(name, new Set(list.slice(0, keep).map((d) => d.id)));
  }
  return newest;
}

function usageFromList(deployment: ListedDeployment): DeploymentUsage {
  return {
    status: deployment.status,
    latestFor: deployment.latest_for,
    boundInvocations: deployment.bound_invocations,
  };
}
