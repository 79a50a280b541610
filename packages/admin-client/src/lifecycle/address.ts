import type { DeploymentResponse } from "../types.js";

/** The URL of an HTTP deployment or the ARN of a Lambda deployment. */
export function deploymentAddress(deployment: DeploymentResponse): string {
  return "uri" in deployment ? deployment.uri : deployment.arn;
}

/**
 * What identifies a deployment to Restate 1.7: for HTTP the URL's authority and path (scheme, query and
 * non-routing headers do not count), for Lambda the ARN. Registering an address with this key again is
 * a no-op unless forced.
 */
export function deploymentKey(target: { uri: string } | { arn: string }): string {
  if ("arn" in target) return `lambda:${target.arn}`;
  const url = new URL(target.uri);
  return `http:${url.host}${url.pathname}`;
}

/** A SQL string literal for the introspection queries. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
