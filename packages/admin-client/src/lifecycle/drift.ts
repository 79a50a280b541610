import type { AdminClient } from "../client.js";
import type { RegisterResult } from "../operations/deployments.js";
import type { DetailedDeploymentResponse, ServiceMetadata } from "../types.js";

/**
 * Registers a deployment's own address again, with its own headers and protocol, forced: Restate then
 * overwrites that deployment in place (same id) with what the address serves now, numbering its
 * services above the live revisions. With `dryRun` it only runs discovery and reports what it found.
 */
export function reregister(
  admin: AdminClient,
  detail: DetailedDeploymentResponse,
  options: { dryRun: boolean },
): Promise<RegisterResult> {
  return admin.deployments.register(
    "uri" in detail ? { uri: detail.uri } : { arn: detail.arn, assumeRoleArn: detail.assume_role_arn ?? undefined },
    {
      force: true,
      dryRun: options.dryRun,
      headers: detail.additional_headers,
      ...("uri" in detail ? { useHttp11: /1\.1/.test(detail.http_version) } : {}),
    },
  );
}

/** What a registered deployment's address serves now (a dry-run registration: nothing changes). */
export function discoverAgain(admin: AdminClient, detail: DetailedDeploymentResponse): Promise<RegisterResult> {
  return reregister(admin, detail, { dryRun: true });
}

/** Undefined when the discovered services are the ones the deployment registered (names, types, handlers). */
export function compareServices(
  detail: DetailedDeploymentResponse,
  discovered: readonly ServiceMetadata[],
): string | undefined {
  const recorded = new Map(detail.services.map((s) => [s.name, s]));
  const found = new Map(discovered.map((s) => [s.name, s]));
  for (const name of new Set([...recorded.keys(), ...found.keys()])) {
    const a = recorded.get(name);
    const b = found.get(name);
    if (!a) return `it now also serves ${name}`;
    if (!b) return `it no longer serves ${name}`;
    if (a.ty !== b.ty) return `${name} is now a ${b.ty}, was a ${a.ty}`;
    const handlers = (s: ServiceMetadata) =>
      s.handlers
        .map((h) => `${h.name}:${h.ty ?? ""}`)
        .sort()
        .join(",");
    if (handlers(a) !== handlers(b)) return `the handlers of ${name} differ`;
  }
  return undefined;
}
