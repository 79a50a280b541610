import { InvalidOptionError } from "./errors.js";

export interface RestateCloudEnvironment {
  /** The environment id shown in the Restate Cloud UI, e.g. `env_201hy10cd3h6426jy80tb32n6en`. */
  environmentId: string;
  /** The environment's region as Restate Cloud names it, e.g. `us` or `eu`. */
  region: string;
}

export interface RestateCloudEndpoints {
  /** Admin API, port 9070. Pass to `createAdminClient` with an API key as `token`. */
  adminUrl: string;
  /** Ingress, port 8080. */
  ingressUrl: string;
}

/**
 * The admin and ingress URLs of a Restate Cloud environment.
 *
 * @example
 * const { adminUrl } = restateCloudEndpoints({ environmentId: "env_201hy10cd3h6426jy80tb32n6en", region: "us" });
 * // adminUrl === "https://201hy10cd3h6426jy80tb32n6en.env.us.restate.cloud:9070"
 * const admin = createAdminClient({ baseUrl: adminUrl, token: process.env.RESTATE_AUTH_TOKEN });
 */
export function restateCloudEndpoints(environment: RestateCloudEnvironment): RestateCloudEndpoints {
  const match = /^env_([0-9a-z]+)$/.exec(environment.environmentId ?? "");
  if (!match) {
    throw new InvalidOptionError("environmentId", "expected `env_` followed by lowercase letters and digits");
  }
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(environment.region ?? "")) {
    throw new InvalidOptionError("region", "expected a Restate Cloud region such as `us` or `eu`");
  }
  const host = `${match[1]}.env.${environment.region}.restate.cloud`;
  return { adminUrl: `https://${host}:9070`, ingressUrl: `https://${host}:8080` };
}

/** A Restate Cloud tunnel (`restate cloud env tunnel --tunnel-name <name>`, or the Restate operator's). */
export interface RestateCloudTunnel extends RestateCloudEnvironment {
  /** The tunnel's name: lowercase letters, digits, `-` and `.`. */
  tunnelName: string;
  /**
   * The environment's tunnel proxy, as the Restate Cloud API reports it (`proxy_base_url`). Default
   * `https://tunnel.<region>.restate.cloud:9080`, which the Restate operator uses.
   */
  proxyBaseUrl?: string;
}

/**
 * The URL to register so that Restate Cloud reaches `destination` through a tunnel, built the way the
 * Restate CLI's `deployments register --tunnel-name` does:
 * `<proxy>/<environment id without env_>/<tunnel name>/<scheme>/<host>/<port><path>`.
 *
 * @example
 * restateCloudTunnelUrl({ environmentId: "env_201hy…", region: "eu", tunnelName: "laptop" }, "http://localhost:9080");
 * // "https://tunnel.eu.restate.cloud:9080/201hy…/laptop/http/localhost/9080/"
 */
export function restateCloudTunnelUrl(tunnel: RestateCloudTunnel, destination: string): string {
  restateCloudEndpoints(tunnel); // validates environmentId and region
  const environment = tunnel.environmentId.slice("env_".length);
  if (typeof tunnel.tunnelName !== "string" || !/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(tunnel.tunnelName)) {
    throw new InvalidOptionError("tunnelName", "expected lowercase letters, digits, '-' and '.' (at most 63)");
  }
  const proxy = parseHttpsUrl(
    "proxyBaseUrl",
    tunnel.proxyBaseUrl ?? `https://tunnel.${tunnel.region}.restate.cloud:9080`,
  );
  let target: URL;
  try {
    target = new URL(destination);
  } catch {
    throw new InvalidOptionError("destination", "not an absolute URL");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new InvalidOptionError("destination", `expected http: or https:, got ${target.protocol}`);
  }
  if (target.username || target.password || target.search || target.hash) {
    throw new InvalidOptionError("destination", "must not contain credentials, a query or a fragment");
  }
  const scheme = target.protocol.slice(0, -1);
  const port = target.port || (scheme === "https" ? "443" : "80");
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  return `${proxy.protocol}//${proxy.hostname}:${proxy.port || "9080"}/${environment}/${tunnel.tunnelName}/${scheme}/${host}/${port}${target.pathname}`;
}

/**
 * The environment of a Restate Cloud admin URL (`https://<id>.env.<region>.restate.cloud:9070`), or
 * `undefined` for any other URL.
 */
export function restateCloudEnvironmentOf(adminUrl: string): RestateCloudEnvironment | undefined {
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch {
    return undefined;
  }
  const match = /^([0-9a-z]+)\.env\.([a-z0-9]+(?:-[a-z0-9]+)*)\.restate\.cloud$/.exec(url.hostname);
  if (url.protocol !== "https:" || !match) return undefined;
  return { environmentId: `env_${match[1]}`, region: match[2] as string };
}

function parseHttpsUrl(option: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidOptionError(option, "not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidOptionError(option, `expected https:, got ${url.protocol}`);
  }
  return url;
}
