/**
 * Deployment status, computed from the admin SQL tables the way the Restate CLI (`restate deployments
 * list --extra`) and the Restate operator's drain check do:
 *
 * - `active`: the deployment holds the latest revision of at least one of its services (in `sys_service`,
 *   `deployment_id` is the deployment serving new invocations of that service);
 * - `draining`: superseded for every service it hosts, but invocations that are not completed are still
 *   bound to it;
 * - `drained`: superseded and nothing is bound to it any more — safe to remove.
 *
 * "Bound" is the CLI's and operator's condition (`pinned_deployment_id = <id> AND status != 'completed'`
 * in `sys_invocation_status`), widened with `last_attempt_deployment_id`: an invocation whose first
 * attempt is running is only pinned once its first journal entry is stored, but its last attempt
 * already names the deployment. Counting both errs on the side of keeping a deployment.
 */
export const DEPLOYMENT_STATUSES = ["active", "draining", "drained"] as const;

export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** How a deployment is used right now. */
export interface DeploymentUsage {
  status: DeploymentStatus;
  /** Services whose latest revision this deployment serves (non-empty exactly when `active`). */
  latestFor: string[];
  /** Invocations, not completed, pinned to this deployment or whose last attempt ran on it. */
  boundInvocations: number;
}

/** Runs SQL against the introspection tables: `AdminClient.query`. */
export type QueryFn = <Row = Record<string, unknown>>(sql: string) => Promise<Row[]>;

/** The latest deployment of every service: the one new invocations go to. */
export const LATEST_DEPLOYMENTS_SQL = "SELECT name, deployment_id FROM sys_service";

/** Invocations not yet completed, grouped by the deployment they are pinned to or last ran on. */
export const BOUND_INVOCATIONS_SQL =
  "SELECT pinned_deployment_id, last_attempt_deployment_id, COUNT(*) AS invocations FROM sys_invocation " +
  "WHERE status != 'completed' AND (pinned_deployment_id IS NOT NULL OR last_attempt_deployment_id IS NOT NULL) " +
  "GROUP BY pinned_deployment_id, last_attempt_deployment_id";

/** A snapshot of who serves what and what is still running where. */
export interface UsageSnapshot {
  /** Service name → id of the deployment with its latest revision. */
  latest: ReadonlyMap<string, string>;
  /** Deployment id → number of invocations bound to it. */
  bound: ReadonlyMap<string, number>;
}

/**
 * Reads the invocations first and the latest deployments second: a superseded deployment only gets new
 * invocations by becoming latest again, so reading `sys_service` last catches a deployment that was
 * made latest (and may have received invocations) while the snapshot was taken.
 */
export async function readUsage(query: QueryFn): Promise<UsageSnapshot> {
  const bound = new Map<string, number>();
  const rows = await query<{
    pinned_deployment_id: string | null;
    last_attempt_deployment_id: string | null;
    invocations: number | string;
  }>(BOUND_INVOCATIONS_SQL);
  for (const row of rows) {
    const count = Number(row.invocations);
    const ids = new Set([row.pinned_deployment_id, row.last_attempt_deployment_id]);
    for (const id of ids) if (typeof id === "string" && id !== "") bound.set(id, (bound.get(id) ?? 0) + count);
  }
  const latest = new Map<string, string>();
  for (const row of await query<{ name: string; deployment_id: string }>(LATEST_DEPLOYMENTS_SQL)) {
    latest.set(row.name, row.deployment_id);
  }
  return { latest, bound };
}

/**
 * Classifies one deployment. A service of the deployment that `sys_service` does not know counts as
 * served by it (as the Restate CLI does): when in doubt, a deployment is never reported removable.
 */
export function usageOf(
  deployment: { id: string; services: readonly { name: string }[] },
  snapshot: UsageSnapshot,
): DeploymentUsage {
  const latestFor = deployment.services
    .filter((s) => {
      const latest = snapshot.latest.get(s.name);
      return latest === undefined || latest === deployment.id;
    })
    .map((s) => s.name);
  const boundInvocations = snapshot.bound.get(deployment.id) ?? 0;
  const status: DeploymentStatus = latestFor.length > 0 ? "active" : boundInvocations > 0 ? "draining" : "drained";
  return { status, latestFor, boundInvocations };
}
