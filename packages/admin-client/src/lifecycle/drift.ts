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

/**
 * Undefined when the discovered services are the ones the deployment registered: names, types, handlers
 * and what only the code declares about them (not the settings the admin API can change).
 */
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
    const names = (s: ServiceMetadata) =>
      s.handlers
        .map((h) => `${h.name}:${h.ty ?? ""}`)
        .sort()
        .join(",");
    if (names(a) !== names(b)) return `the handlers of ${name} differ`;
    // What else only the code declares: content types, schemas, retry policies, documentation,
    // metadata. New code behind the same handler names (a redeployed alias URL) often differs here.
    // Not `public`, retentions or timeouts: the admin API changes them (a private service's handlers
    // read `public: false`), and not `info`, which the server writes.
    const declared = (s: ServiceMetadata) =>
      canonical({
        handlers: [...s.handlers]
          .sort((x, y) => (x.name < y.name ? -1 : 1))
          .map((h) => Object.fromEntries(CODE_DECLARED.map((key) => [key, h[key] ?? null]))),
        documentation: s.documentation ?? null,
        metadata: (s as { metadata?: unknown }).metadata ?? null,
      });
    if (declared(a) !== declared(b)) return `the handler definitions of ${name} differ`;
  }
  return undefined;
}

/** Handler fields that come from the code alone. */
const CODE_DECLARED = [
  "name",
  "ty",
  "input_description",
  "output_description",
  "input_json_schema",
  "output_json_schema",
  "documentation",
  "metadata",
  "retry_policy",
  "enable_lazy_state",
] as const satisfies readonly (keyof ServiceMetadata["handlers"][number])[];

/** JSON with the keys of every object sorted, so equal values give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}
