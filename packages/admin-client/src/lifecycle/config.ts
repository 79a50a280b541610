import { parseRestateDuration } from "./duration.js";
import { ConfigError } from "./errors.js";

/**
 * The declarative configuration `plan` and `apply` work from (as written in `restate.yaml` or
 * `restate.json`, after `${VAR}` substitution).
 *
 * @example
 * deployments:
 *   - uri: https://greeter.example.com/restate
 *     headers: { x-api-key: "${GREETER_API_KEY}" }
 *   - arn: arn:aws:lambda:eu-central-1:123456789012:function:payments:7
 *     assumeRoleArn: arn:aws:iam::123456789012:role/restate-invoker
 * services:
 *   Greeter:
 *     public: false
 *     idempotencyRetention: 1d
 * subscriptions:
 *   - source: kafka://my-cluster/orders
 *     sink: service://Orders/handle
 */
export interface RestateConfig {
  deployments: DeploymentConfig[];
  services: Record<string, ServiceConfig>;
  subscriptions: SubscriptionConfig[];
}

interface DeploymentCommon {
  /** Headers Restate sends with every request to the deployment. Never printed: plans show `(redacted)`. */
  headers?: Record<string, string>;
  /** Stored with the deployment at registration (Restate 1.7 cannot change it afterwards). */
  metadata?: Record<string, string>;
  /** Accept schema-breaking changes (e.g. a service changing type) when registering. Default false. */
  breaking?: boolean;
}

export type DeploymentConfig =
  | (DeploymentCommon & { uri: string; useHttp11?: boolean })
  | (DeploymentCommon & { arn: string; assumeRoleArn?: string });

export interface ServiceConfig {
  public?: boolean;
  /** Durations as Restate accepts them: `1d`, `5 hours`, `PT30M`, `500ms`. */
  idempotencyRetention?: string;
  journalRetention?: string;
  workflowCompletionRetention?: string;
  inactivityTimeout?: string;
  abortTimeout?: string;
}

export interface SubscriptionConfig {
  /** `kafka://<cluster>/<topic>` */
  source: string;
  /** `service://<service>/<handler>` */
  sink: string;
  options?: Record<string, string>;
}

export interface ParseConfigOptions {
  /** Where `${VAR}` values come from. Default: none (any `${VAR}` is then an error). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Named in errors, e.g. `restate.yaml`. Default `config`. */
  source?: string;
}

const SERVICE_DURATIONS = [
  "idempotencyRetention",
  "journalRetention",
  "workflowCompletionRetention",
  "inactivityTimeout",
  "abortTimeout",
] as const;

const LAMBDA_ARN = /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SERVICE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Validates a parsed document (from YAML or JSON) and substitutes `${VAR}` in every string value from
 * `env`. A missing or empty variable is an error naming it and the field; `$${` writes a literal `${`.
 * Substitution is a single pass: a value read from the environment is never expanded again. Unknown
 * keys are errors, so a typo cannot silently drop a setting.
 *
 * @example
 * const config = parseConfig(JSON.parse(text), { env: process.env, source: "restate.json" });
 */
export function parseConfig(document: unknown, options: ParseConfigOptions = {}): RestateConfig {
  const source = options.source ?? "config";
  const env = options.env ?? {};
  const fromEnv = new Set<string>();
  const fail = (field: string, problem: string): never => {
    throw new ConfigError("invalid_config", source, field, problem);
  };
  const text = (value: unknown, field: string): string => {
    if (typeof value !== "string") return fail(field, `expected a string, got ${kind(value)}`);
    return substitute(
      value,
      env,
      (name) => {
        const problem = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
          ? `environment variable ${name} is not set or empty`
          : `\${…} needs a variable name of letters, digits and _, got ${name} (write $\${ for a literal \${)`;
        throw new ConfigError("missing_variable", source, field, problem);
      },
      fromEnv,
    );
  };
  const object = (value: unknown, field: string, allowed: readonly string[] | undefined): Record<string, unknown> => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return fail(field, `expected a mapping, got ${kind(value)}`);
    }
    if (allowed) {
      for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) fail(join(field, key), `unknown field (expected one of ${allowed.join(", ")})`);
      }
    }
    return value as Record<string, unknown>;
  };
  const stringMap = (value: unknown, field: string, headers: boolean): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(object(value, field, undefined))) {
      // A refused name is described, never shown: a mistyped `name: secret` pair may be all secret.
      if (headers && !HEADER_NAME.test(key)) {
        fail(field, `a key (${key.length} characters, not shown) is not a valid HTTP header name`);
      }
      const resolved = text(v, join(field, key));
      if (headers && /[\r\n\0]/.test(resolved)) fail(join(field, key), "header values cannot contain line breaks");
      setOwn(out, headers ? key.toLowerCase() : key, resolved);
    }
    return out;
  };
  const boolean = (value: unknown, field: string): boolean =>
    typeof value === "boolean" ? value : fail(field, `expected true or false, got ${kind(value)}`);

  const root = object(document ?? {}, "", ["version", "deployments", "services", "subscriptions"]);
  if (root.version !== undefined && root.version !== 1) fail("version", "only version 1 is supported");

  const deployments: DeploymentConfig[] = [];
  const seen = new Set<string>();
  const list = root.deployments ?? [];
  if (!Array.isArray(list)) fail("deployments", `expected a list, got ${kind(list)}`);
  for (const [index, entry] of (list as unknown[]).entries()) {
    const field = `deployments[${index}]`;
    const raw = object(entry, field, undefined);
    const common: DeploymentCommon = {};
    if (raw.headers !== undefined) common.headers = stringMap(raw.headers, `${field}.headers`, true);
    if (raw.metadata !== undefined) common.metadata = stringMap(raw.metadata, `${field}.metadata`, false);
    if (raw.breaking !== undefined) common.breaking = boolean(raw.breaking, `${field}.breaking`);
    let key: string;
    if ("uri" in raw === "arn" in raw) fail(field, "give exactly one of uri or arn");
    if ("uri" in raw) {
      object(raw, field, ["uri", "useHttp11", "headers", "metadata", "breaking"]);
      const uri = text(raw.uri, `${field}.uri`);
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        throw new ConfigError("invalid_config", source, `${field}.uri`, "not an absolute URL");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") fail(`${field}.uri`, "expected http: or https:");
      if (url.username !== "" || url.password !== "")
        fail(`${field}.uri`, "credentials belong in headers, not the URL");
      const deployment: DeploymentConfig = { uri, ...common };
      if (raw.useHttp11 !== undefined) deployment.useHttp11 = boolean(raw.useHttp11, `${field}.useHttp11`);
      key = `http:${url.host}${url.pathname}`;
      deployments.push(deployment);
    } else {
      object(raw, field, ["arn", "assumeRoleArn", "headers", "metadata", "breaking"]);
      const arn = text(raw.arn, `${field}.arn`);
      if (!LAMBDA_ARN.test(arn))
        fail(`${field}.arn`, "expected arn:<partition>:lambda:<region>:<account>:function:<name>[:<version>]");
      const deployment: DeploymentConfig = { arn, ...common };
      if (raw.assumeRoleArn !== undefined) {
        const role = text(raw.assumeRoleArn, `${field}.assumeRoleArn`);
        if (!ROLE_ARN.test(role)) fail(`${field}.assumeRoleArn`, "expected arn:<partition>:iam::<account>:role/<name>");
        deployment.assumeRoleArn = role;
      }
      key = `lambda:${arn}`;
      deployments.push(deployment);
    }
    if (seen.has(key)) fail(field, "the same deployment is declared twice");
    seen.add(key);
  }

  const services: Record<string, ServiceConfig> = {};
  for (const [name, value] of Object.entries(object(root.services ?? {}, "services", undefined))) {
    const field = `services.${name}`;
    if (!SERVICE_NAME.test(name)) fail(field, "not a valid service name");
    const raw = object(value ?? {}, field, ["public", ...SERVICE_DURATIONS]);
    const service: ServiceConfig = {};
    if (raw.public !== undefined) service.public = boolean(raw.public, `${field}.public`);
    for (const key of SERVICE_DURATIONS) {
      if (raw[key] === undefined) continue;
      const duration = typeof raw[key] === "number" ? `${raw[key]}s` : text(raw[key], `${field}.${key}`);
      if (parseRestateDuration(duration) === undefined) {
        fail(`${field}.${key}`, "is not a duration (e.g. 1d, 5 hours, PT30M, 500ms)");
      }
      service[key] = duration;
    }
    setOwn(services, name, service);
  }

  const subscriptions: SubscriptionConfig[] = [];
  const subs = root.subscriptions ?? [];
  if (!Array.isArray(subs)) fail("subscriptions", `expected a list, got ${kind(subs)}`);
  for (const [index, entry] of (subs as unknown[]).entries()) {
    const field = `subscriptions[${index}]`;
    const raw = object(entry, field, ["source", "sink", "options"]);
    const source = text(raw.source, `${field}.source`);
    if (!/^kafka:\/\/[^/]+\/.+$/.test(source)) fail(`${field}.source`, "expected kafka://<cluster>/<topic>");
    const sink = text(raw.sink, `${field}.sink`);
    if (!/^service:\/\/[^/]+\/[^/]+$/.test(sink)) fail(`${field}.sink`, "expected service://<service>/<handler>");
    const subscription: SubscriptionConfig = { source, sink };
    if (raw.options !== undefined) subscription.options = stringMap(raw.options, `${field}.options`, false);
    if (subscriptions.some((s) => s.source === source && s.sink === sink)) fail(field, "declared twice");
    subscriptions.push(subscription);
  }

  const config: RestateConfig = { deployments, services, subscriptions };
  sources.set(config, source);
  substituted.set(config, fromEnv);
  return config;
}

const sources = new WeakMap<RestateConfig, string>();
const substituted = new WeakMap<RestateConfig, ReadonlySet<string>>();

/**
 * Replaces every value read from the environment with `(redacted)`: a secret may sit in a URL's query
 * (e.g. a platform bypass token), not only in a header, and plans, warnings and errors must not show it.
 */
export function redactorOf(config: RestateConfig): (text: string) => string {
  const values = [...(substituted.get(config) ?? [])].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, value) => out.split(value).join("(redacted)"), text);
}

/** The file a configuration was read from, for error messages (`config` when built in code). */
export function sourceOf(config: RestateConfig): string {
  return sources.get(config) ?? "config";
}

/** Replaces `${NAME}` from `env` in one pass; `$${` stays a literal `${`. */
export function substitute(
  value: string,
  env: Readonly<Record<string, string | undefined>>,
  missing: (name: string) => never,
  used?: Set<string>,
): string {
  return value.replace(/\$(\$?)\{([^}]*)\}/g, (match, escaped: string, name: string) => {
    if (escaped === "$") return match.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return missing(name === "" ? "(empty name)" : JSON.stringify(name));
    const found = Object.hasOwn(env, name) ? env[name] : undefined;
    if (found === undefined || found === "") return missing(name);
    used?.add(found);
    return found;
  });
}

/** `target[key] = value`, except that a key like `__proto__` becomes a key instead of changing the prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function join(field: string, key: string): string {
  if (field === "") return key;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : typeof value;
}
