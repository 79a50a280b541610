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
