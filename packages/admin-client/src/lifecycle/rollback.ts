import type { AdminClient } from "../client.js";
import { InvalidOptionError } from "../errors.js";
import type { DeploymentResponse, ModifyServiceRequest, ServiceMetadata } from "../types.js";
import { deploymentAddress } from "./address.js";
import { compareServices, discoverAgain, reregister } from "./drift.js";
import { RollbackRefusedError } from "./errors.js";

export interface RollbackOptions {
  /** The deployment to return to. Default: the one hosting the next lower revision of the service. */
  to?: string;
  /** Check everything (including a discovery of the earlier deployment) and change nothing. Default false. */
  dryRun?: boolean;
  /** Allow the earlier deployment to change a service's type (e.g. object → service). Default false. */
  breaking?: boolean;
}

export interface RollbackResult {
  service: string;
  dryRun: boolean;
  from: { id: string; address: string; revision: number };
  to: { id: string; address: string };
  /** Every service that now (or, with `dryRun`, would) be served by `to`: all services it hosts. */
  services: string[];
  /** Service settings (public, retention, timeouts) put back after re-registration reset them. */
  restoredSettings: { service: string; settings: string[] }[];
}

const SETTINGS = [
  "public",
  "idempotency_retention",
  "journal_retention",
  "workflow_completion_retention",
  "inactivity_timeout",
  "abort_timeout",
] as const;

/**
 * Makes an earlier deployment serve new invocations of a service again.
 *
 * Restate 1.7 routes new invocations of a service to the deployment holding its highest revision. The
 * only operation that gives an existing deployment a new, higher revision is registering its address
 * again with `force` (the server overwrites that deployment in place, same id, and numbers each of its
 * services one above the live revision). So rollback:
 *
 * 1. refuses when another service hosted by the earlier deployment is currently served by a different
 *    deployment than the one being rolled back (it would be rolled back too);
 * 2. runs discovery against the earlier deployment's address (dry run) and refuses unless it still
 *    serves exactly the services and handlers that deployment registered — a URL that now serves new
 *    code is not a rollback, and `force` would overwrite the schema of invocations pinned to it;
 * 3. refuses a service type change unless `breaking`;
 * 4. re-registers with `force`, checks the service now points at the earlier deployment, and puts back
 *    the service settings the re-registration reset to the deployment's defaults.
 *
 * Invocations pinned to the newer deployment keep running there; it becomes `draining`.
 *
 * @example
 * const result = await rollback(admin, "Greeter", { dryRun: true });
 * console.log(`would move ${result.services.join(", ")} from ${result.from.id} to ${result.to.id}`);
 */
export async function rollback(
  admin: AdminClient,
  service: string,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  if (typeof service !== "string" || service === "") throw new InvalidOptionError("service", "must be a service name");
  const live = await admin.services.get(service);
  const deployments = await admin.deployments.list();
  const current = deployments.find((d) => d.id === live.deployment_id);
  const target = chooseTarget(service, live, deployments, options.to);

  const liveServices = await admin.services.list();
  const servedBy = new Map(liveServices.map((s) => [s.name, s]));
  for (const other of target.services) {
    const otherLive = servedBy.get(other.name);
    // Served by the target itself: re-registering it (same code, checked below) changes nothing for it.
    const elsewhere = otherLive !== undefined && ![live.deployment_id, target.id].includes(otherLive.deployment_id);
    if (other.name !== service && elsewhere) {
      throw new RollbackRefusedError(
        `deployment ${target.id} also hosts ${other.name}, which is served by ${otherLive?.deployment_id}, not by ${live.deployment_id}: ` +
          `rolling back ${service} would roll ${other.name} back too. Register the earlier version of ${service} on its own address instead.`,
      );
    }
  }

  const detail = await admin.deployments.get(target.id);
  const discovered = await discoverAgain(admin, detail);
  if (discovered.id !== target.id) {
    throw new RollbackRefusedError(
      `Restate would overwrite ${discovered.id}, not ${target.id}: another deployment shares the address ${deploymentAddress(target)}`,
    );
  }
  const mismatch = compareServices(detail, discovered.services);
  if (mismatch !== undefined) {
    throw new RollbackRefusedError(
      `${deploymentAddress(target)} no longer serves what ${target.id} registered (${mismatch}); ` +
        `re-registering it would not roll back and would overwrite the schema of invocations pinned to ${target.id}. ` +
        `Register the address of the earlier version instead (e.g. its Lambda version ARN).`,
    );
  }
  for (const s of discovered.services) {
    const now = servedBy.get(s.name);
    if (now !== undefined && now.ty !== s.ty && options.breaking !== true) {
      throw new RollbackRefusedError(
        `${s.name} would change type from ${now.ty} to ${s.ty}, which can lose state; pass breaking to allow it`,
      );
    }
  }

  const affected = target.services.map((s) => s.name);
  const before = new Map(affected.flatMap((name) => (servedBy.has(name) ? [[name, servedBy.get(name)]] : [])));
  const result: RollbackResult = {
    service,
    dryRun: options.dryRun ?? false,
    from: {
      id: live.deployment_id,
      address: current ? deploymentAddress(current) : "(unknown)",
      revision: live.revision,
    },
    to: { id: target.id, address: deploymentAddress(target) },
    services: affected,
    restoredSettings: [],
  };
  if (result.dryRun) return result;

  // Right before the forced registration: if any affected service moved since we looked (another
  // deployment was registered meanwhile), forcing ours would silently supersede it.
  const now = new Map((await admin.services.list()).map((s) => [s.name, s]));
  for (const [name, old] of before) {
    const current = now.get(name);
    if (old !== undefined && (current?.revision !== old.revision || current.deployment_id !== old.deployment_id)) {
      throw new RollbackRefusedError(
        `${name} changed while the rollback was being checked (now revision ${current?.revision ?? "none"} on ${current?.deployment_id ?? "nothing"}); nothing was changed, run the rollback again if it is still wanted`,
      );
    }
  }

  await reregister(admin, detail, { dryRun: false });
  const after = await admin.services.get(service);
  if (after.deployment_id !== target.id) {
    throw new RollbackRefusedError(
      `after re-registering ${target.id}, ${service} is served by ${after.deployment_id}: a concurrent registration won; nothing else was changed`,
    );
  }
  for (const [name, old] of before) {
    if (old === undefined) continue;
    const now = name === service ? after : await admin.services.get(name);
    const changes = settingsToRestore(old, now);
    if (Object.keys(changes).length > 0) {
      await admin.services.update(name, changes);
      result.restoredSettings.push({ service: name, settings: Object.keys(changes) });
    }
  }
  return result;
}

function chooseTarget(
  service: string,
  live: ServiceMetadata,
  deployments: readonly DeploymentResponse[],
  to: string | undefined,
): DeploymentResponse {
  const hosting = deployments
    .flatMap((d) => d.services.filter((s) => s.name === service).map((s) => ({ deployment: d, revision: s.revision })))
    .sort((a, b) => b.revision - a.revision);
  if (to !== undefined) {
    if (to === live.deployment_id) throw new RollbackRefusedError(`${to} already serves ${service}`);
    const chosen = hosting.find((h) => h.deployment.id === to);
    if (!chosen) throw new RollbackRefusedError(`deployment ${to} does not exist or does not host ${service}`);
    return chosen.deployment;
  }
  const earlier = hosting.find((h) => h.deployment.id !== live.deployment_id && h.revision < live.revision);
  if (!earlier) {
    throw new RollbackRefusedError(
      `no earlier deployment of ${service} is registered (only ${live.deployment_id}); ` +
        `register the earlier version's address (e.g. its Lambda version ARN) to make it serve ${service} again`,
    );
  }
  return earlier.deployment;
}

function settingsToRestore(before: ServiceMetadata, after: ServiceMetadata): ModifyServiceRequest {
  const changes: Record<string, unknown> = {};
  for (const key of SETTINGS) {
    if (key === "workflow_completion_retention" && after.ty !== "Workflow") continue;
    const old = before[key];
    if (old !== undefined && old !== null && old !== after[key]) changes[key] = old;
  }
  return changes as ModifyServiceRequest;
}
