import type { AdminClient } from "../client.js";
import { AdminApiError } from "../errors.js";
import type { DeploymentTarget, RegisterOptions } from "../operations/deployments.js";
import type { DeploymentResponse, ModifyServiceRequest, ServiceMetadata, UpdateDeploymentRequest } from "../types.js";
import { deploymentAddress, deploymentKey } from "./address.js";
import { type DeploymentConfig, type RestateConfig, redactorOf, type ServiceConfig, sourceOf } from "./config.js";
import { compareServices, discoverAgain } from "./drift.js";
import { parseRestateDuration } from "./duration.js";
import { ConfigError } from "./errors.js";
import { redactError } from "./redact-error.js";

/** One field that differs. Header values are never shown: `from`/`to` are `(redacted)` for them. */
export interface FieldChange {
  field: string;
  from: string | boolean | null;
  to: string | boolean | null;
}

export type PlannedChange =
  | {
      kind: "register_deployment";
      address: string;
      /** What discovery (a dry-run registration) found, with the revisions registration will create. */
      services: { name: string; type: string; revision: number }[];
      /** Header names only. */
      headers: string[];
    }
  | { kind: "update_deployment"; id: string; address: string; fields: FieldChange[] }
  | { kind: "update_service"; service: string; fields: FieldChange[] }
  | { kind: "create_subscription"; source: string; sink: string; options: Record<string, string> };

/**
 * The difference between a configuration and the live server. Printing it (or `JSON.stringify`) never
 * shows a header value; the values `apply` needs are held privately.
 */
export interface Plan {
  readonly changes: readonly PlannedChange[];
  /** Differences `apply` will not change, e.g. metadata, which Restate 1.7 fixes at registration. */
  readonly warnings: readonly string[];
  readonly hasChanges: boolean;
}

/** What `apply` needs and `plan` must not show. */
export interface PlanInternals {
  config: RestateConfig;
  /** Per registration: the live revision of each service it provides, at plan time (null: new service). */
  registrations: { deployment: DeploymentConfig; key: string; revisions: Map<string, number | null> }[];
}

export const planInternals = new WeakMap<Plan, PlanInternals>();

const REDACTED = "(redacted)";

const SERVICE_FIELDS: Record<keyof ServiceConfig, keyof ModifyServiceRequest & keyof ServiceMetadata> = {
  public: "public",
  idempotencyRetention: "idempotency_retention",
  journalRetention: "journal_retention",
  workflowCompletionRetention: "workflow_completion_retention",
  inactivityTimeout: "inactivity_timeout",
  abortTimeout: "abort_timeout",
};

/**
 * Computes what `apply` would change on the live server: deployments to register (discovered with a
 * dry-run registration, so a breaking change fails here, not halfway through apply), header /
 * assume-role / HTTP version updates of registered deployments, service settings and subscriptions to
 * create. Nothing is ever removed: deployments are removed by `prune`, and deployments, services or
 * subscriptions the file does not mention are left alone. A field the file omits is not managed.
 *
 * @example
 * const config = parseConfig(JSON.parse(text), { env: process.env, source: "restate.json" });
 * const p = await plan(admin, config);
 * if (p.hasChanges) console.log(await apply(admin, p));
 */
export async function plan(admin: AdminClient, config: RestateConfig): Promise<Plan> {
  try {
    return await planChanges(admin, config);
  } catch (error) {
    throw redactError(error, redactorOf(config));
  }
}

async function planChanges(admin: AdminClient, config: RestateConfig): Promise<Plan> {
  const changes: PlannedChange[] = [];
  const warnings: string[] = [];
  const hide = redactorOf(config);
  const internals: PlanInternals = { config, registrations: [] };
  const [deployments, liveServices] = await Promise.all([admin.deployments.list(), admin.services.list()]);
  const byKey = indexByKey(deployments);
  const live = new Map(liveServices.map((s) => [s.name, s]));
  /** Settings of services as they will be after this plan's registrations (which reset them). */
  const baseline = new Map(live);

  for (const [index, deployment] of config.deployments.entries()) {
    const key = deploymentKey(deployment);
    const existing = byKey.get(key);
    if (existing === undefined) {
      const discovered = await admin.deployments
        .register(targetOf(deployment), { ...registerOptionsOf(deployment), dryRun: true })
        .catch((error: unknown) => {
          if (!(error instanceof AdminApiError) || error.status >= 500) throw error;
          throw new ConfigError(
            "invalid_config",
            sourceOf(config),
            `deployments[${index}]`,
            hide(`Restate refused ${addressOf(deployment)}: ${error.serverMessage}`),
          );
        });
      refuseSupersedingLater(config, index, discovered.services, byKey, hide);
      const revisions = new Map<string, number | null>();
      for (const s of discovered.services) {
        revisions.set(s.name, live.get(s.name)?.revision ?? null);
        baseline.set(s.name, s);
      }
      internals.registrations.push({ deployment, key, revisions });
      changes.push({
        kind: "register_deployment",
        address: hide(addressOf(deployment)),
        services: discovered.services.map((s) => ({ name: s.name, type: s.ty, revision: s.revision })),
        headers: Object.keys(deployment.headers ?? {}),
      });
      continue;
    }
    const drift = await codeDrift(admin, existing.id);
    if (drift !== undefined) warnings.push(hide(`${existing.id} (${registeredAddress(existing)}): ${drift}`));
    const fields = deploymentChanges(existing, deployment);
    if (fields.length > 0) {
      changes.push({ kind: "update_deployment", id: existing.id, address: hide(registeredAddress(existing)), fields });
    }
    for (const [name, value] of Object.entries(deployment.metadata ?? {})) {
      if (existing.metadata?.[name] !== value) {
        warnings.push(
          hide(
            `${existing.id} (${registeredAddress(existing)}): metadata.${name} differs; Restate 1.7 keeps the metadata given at registration`,
          ),
        );
      }
    }
  }

  for (const [name, declared] of Object.entries(config.services)) {
    const current = baseline.get(name);
    if (current === undefined) {
      throw new ConfigError(
        "invalid_config",
        sourceOf(config),
        `services.${name}`,
        "no such service on the server, and no deployment in the configuration provides it",
      );
    }
    if (declared.workflowCompletionRetention !== undefined && current.ty !== "Workflow") {
      // Restate refuses it (HTTP 400) for the whole PATCH, so every apply would fail on it.
      throw new ConfigError(
        "invalid_config",
        sourceOf(config),
        `services.${name}.workflowCompletionRetention`,
        `applies to workflows only; ${name} is a ${current.ty}`,
      );
    }
    const fields = serviceChanges(current, declared);
    if (fields.length > 0) changes.push({ kind: "update_service", service: name, fields });
  }

  if (config.subscriptions.length > 0) {
    const existing = await admin.subscriptions.list();
    for (const wanted of config.subscriptions) {
      const found = existing.find((s) => s.source === wanted.source && s.sink === wanted.sink);
      if (!found) {
        changes.push({
          kind: "create_subscription",
          source: hide(wanted.source),
          sink: hide(wanted.sink),
          options: Object.fromEntries(Object.entries(wanted.options ?? {}).map(([k, v]) => [k, hide(v)])),
        });
        continue;
      }
      for (const [option, value] of Object.entries(wanted.options ?? {})) {
        if (found.options[option] !== value) {
          warnings.push(
            hide(
              `subscription ${found.id} (${wanted.source} → ${wanted.sink}): option ${option} differs; Restate cannot change a subscription, remove and re-create it`,
            ),
          );
        }
      }
    }
  }

  const result: Plan = Object.freeze({ changes, warnings, hasChanges: changes.length > 0 });
  planInternals.set(result, internals);
  return result;
}

/**
 * A registration takes each of its services over (the newest revision wins). When a deployment declared
 * later in the file is registered already and provides one of them, registering this one would send
 * that service's new invocations to the earlier entry — typically an old version that `prune` removed
 * while the file still lists it, and `apply` would silently roll back to it. The file order says which
 * deployment is meant to serve: the last one providing a service.
 */
function refuseSupersedingLater(
  config: RestateConfig,
  index: number,
  services: readonly { name: string }[],
  byKey: ReadonlyMap<string, DeploymentResponse>,
  hide: (text: string) => string,
): void {
  for (const [later, declared] of config.deployments.entries()) {
    if (later <= index) continue;
    const registered = byKey.get(deploymentKey(declared));
    const taken = services.find((s) => registered?.services.some((r) => r.name === s.name));
    if (registered === undefined || taken === undefined) continue;
    throw new ConfigError(
      "invalid_config",
      sourceOf(config),
      `deployments[${index}]`,
      hide(
        `registering ${addressOf(config.deployments[index] as DeploymentConfig)} would make it serve ${taken.name} instead of ` +
          `deployments[${later}] (${registered.id}), declared after it. Remove the earlier entry (was it pruned?), ` +
          "or move it last if it is meant to serve",
      ),
    );
  }
}

/**
 * Whether a registered deployment's address still serves what it registered. Restate 1.7 keeps using
 * the registered schema of an address that was redeployed in place (registering it again without
 * `force` is a no-op), so "no changes" would hide new code Restate does not know about.
 */
async function codeDrift(admin: AdminClient, id: string): Promise<string | undefined> {
  try {
    const detail = await admin.deployments.get(id);
    const mismatch = compareServices(detail, (await discoverAgain(admin, detail)).services);
    if (mismatch === undefined) return undefined;
    return (
      `the address serves different code than Restate registered (${mismatch}); Restate keeps the registered schema. ` +
      "Deploy new code at a new address (recommended), or re-register this one with force"
    );
  } catch (error) {
    if (!(error instanceof AdminApiError) || error.status >= 500) throw error;
    return `discovery failed, so whether it still serves what Restate registered is unknown: ${error.serverMessage}`;
  }
}

/** The fields of a registered deployment that differ from the configuration (omitted fields are unmanaged). */
export function deploymentChanges(existing: DeploymentResponse, wanted: DeploymentConfig): FieldChange[] {
  const fields: FieldChange[] = [];
  if (wanted.headers !== undefined) {
    const have = existing.additional_headers ?? {};
    for (const name of new Set([...Object.keys(have), ...Object.keys(wanted.headers)])) {
      const from = have[name];
      const to = wanted.headers[name];
      if (from === to) continue;
      fields.push({
        field: `headers.${name}`,
        from: from === undefined ? null : REDACTED,
        to: to === undefined ? null : REDACTED,
      });
    }
  }
  // Same deployment to Restate (authority and path), but another scheme or query: e.g. a rotated
  // bypass token in the query. Registering again would be a no-op, so the URL is changed in place.
  if ("uri" in wanted && "uri" in existing && new URL(wanted.uri).href !== new URL(existing.uri).href) {
    fields.push({ field: "uri", from: queryHidden(existing.uri), to: queryHidden(wanted.uri) });
  }
  if ("uri" in wanted && "uri" in existing && wanted.useHttp11 !== undefined) {
    const http11 = /1\.1/.test(existing.http_version);
    if (http11 !== wanted.useHttp11) fields.push({ field: "useHttp11", from: http11, to: wanted.useHttp11 });
  }
  if ("arn" in wanted && "arn" in existing && wanted.assumeRoleArn !== undefined) {
    const from = existing.assume_role_arn ?? null;
    if (from !== wanted.assumeRoleArn) fields.push({ field: "assumeRoleArn", from, to: wanted.assumeRoleArn });
  }
  return fields;
}

/** The declared service settings that differ from the live ones (durations compared by length). */
export function serviceChanges(current: ServiceMetadata, declared: ServiceConfig): FieldChange[] {
  const fields: FieldChange[] = [];
  for (const [key, apiName] of Object.entries(SERVICE_FIELDS) as [keyof ServiceConfig, keyof ServiceMetadata][]) {
    const want = declared[key];
    if (want === undefined) continue;
    const have = current[apiName] as string | boolean | null | undefined;
    const same =
      typeof want === "boolean"
        ? have === want
        : typeof have === "string" && parseRestateDuration(have) === parseRestateDuration(want);
    if (!same) fields.push({ field: key, from: have ?? null, to: want });
  }
  return fields;
}

/** The admin API body for the service settings that differ. */
export function serviceUpdate(fields: readonly FieldChange[]): ModifyServiceRequest {
  const body: Record<string, unknown> = {};
  for (const { field, to } of fields) body[SERVICE_FIELDS[field as keyof ServiceConfig]] = to;
  return body as ModifyServiceRequest;
}

/** The admin API body for a deployment update: every managed field, with the real header values. */
export function deploymentUpdate(existing: DeploymentResponse, wanted: DeploymentConfig): UpdateDeploymentRequest {
  const body: Record<string, unknown> = {};
  if (wanted.headers !== undefined) body.additional_headers = wanted.headers;
  if ("uri" in wanted && "uri" in existing && new URL(wanted.uri).href !== new URL(existing.uri).href) {
    body.uri = wanted.uri;
  }
  if ("uri" in wanted && "uri" in existing && wanted.useHttp11 !== undefined) body.use_http_11 = wanted.useHttp11;
  if ("arn" in wanted && "arn" in existing && wanted.assumeRoleArn !== undefined) {
    body.assume_role_arn = wanted.assumeRoleArn;
  }
  return body as UpdateDeploymentRequest;
}

export function indexByKey(deployments: readonly DeploymentResponse[]): Map<string, DeploymentResponse> {
  const byKey = new Map<string, DeploymentResponse>();
  // As Restate does for a repeated address: the most recently created deployment is the one that counts.
  const ordered = [...deployments].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const d of ordered) byKey.set(deploymentKey(d), d);
  return byKey;
}

export function targetOf(deployment: DeploymentConfig): DeploymentTarget {
  if ("uri" in deployment) return { uri: deployment.uri };
  return deployment.assumeRoleArn === undefined
    ? { arn: deployment.arn }
    : { arn: deployment.arn, assumeRoleArn: deployment.assumeRoleArn };
}

export function registerOptionsOf(deployment: DeploymentConfig): RegisterOptions {
  return {
    force: false,
    breaking: deployment.breaking ?? false,
    ...(deployment.headers ? { headers: deployment.headers } : {}),
    ...(deployment.metadata ? { metadata: deployment.metadata } : {}),
    ...("uri" in deployment && deployment.useHttp11 !== undefined ? { useHttp11: deployment.useHttp11 } : {}),
  };
}

/** A URL with its query (which may carry a token that was not read from the environment) hidden. */
function queryHidden(uri: string): string {
  const url = new URL(uri);
  return url.search === "" ? uri : `${url.origin}${url.pathname}?${REDACTED}`;
}

/**
 * A registered deployment's address for plans and warnings: its query may hold a token the current
 * environment no longer has (the one being rotated out), which the redactor cannot know.
 */
export function registeredAddress(deployment: DeploymentResponse): string {
  return "uri" in deployment ? queryHidden(deployment.uri) : deploymentAddress(deployment);
}

function addressOf(deployment: DeploymentConfig): string {
  return "uri" in deployment ? deployment.uri : deployment.arn;
}
