import { AdminApiError, type AdminClientError, DiscoveryError } from "./errors.js";
import { isSecretHeader, isSecretQueryParameter, redactSecrets } from "./redact.js";

/**
 * Why restate-server could not discover a deployment, when retrying cannot help. restate-server 1.7
 * answers a failed discovery with HTTP 500 and `restate_code` META0003 (or META0014 for an HTTP/1.1-only
 * endpoint contacted over HTTP/2), wrapping what the deployment did in the message:
 * `got status code '401 Unauthorized'. Response headers: … Body: …`. It retries statuses 408, 429,
 * 500, 502, 503, 504 and connection failures itself and so do we; any other status the deployment
 * answered, and a protocol mismatch, will be the same on the next attempt.
 */
export type DiscoveryFailure =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "unsupported_media_type"
  | "deployment_refused"
  | "http1_only"
  | "http2_only";

const TRANSIENT_DEPLOYMENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

const HINTS: Record<DiscoveryFailure, string> = {
  unauthorized:
    "the deployment refused Restate's request as unauthenticated (401): it does not trust this Restate server's request-identity key, or it needs a header Restate does not send (register with --header / `headers`)",
  forbidden:
    "the deployment refused Restate's request (403): wrong request-identity key for this environment, a missing platform header (API key, protection-bypass secret), or an access rule in front of it",
  not_found:
    "nothing at that path (404): the URL must point where the Restate SDK endpoint is mounted (e.g. …/restate for some frameworks)",
  unsupported_media_type:
    "the endpoint did not accept Restate's discovery request (415): it is not a Restate SDK endpoint at that path, or its SDK does not speak a discovery protocol version this server offers",
  deployment_refused: "the deployment answered with an error status that does not go away on retry",
  http1_only:
    "the endpoint speaks HTTP/1.1 only, and Restate tried HTTP/2: register with --http1.1 (`useHttp11: true`)",
  http2_only: "the endpoint speaks HTTP/2 only, and Restate tried HTTP/1.1: register without --http1.1",
};

/** The failure and the deployment's own status, or `undefined` when the error may be transient. */
export function classifyDiscoveryError(
  error: AdminApiError,
): { failure: DiscoveryFailure; deploymentStatus: number | undefined } | undefined {
  if (error.status !== 500) return undefined;
  const text = error.serverMessage;
  if (error.restateCode === "META0014" || /possibly supports only HTTP1\.1/.test(text)) {
    return { failure: "http1_only", deploymentStatus: undefined };
  }
  if (error.restateCode !== "META0003") return undefined;
  if (/possibly supports only HTTP\/2/.test(text)) return { failure: "http2_only", deploymentStatus: undefined };
  const status = /got status code '(\d{3})\b/.exec(text)?.[1];
  if (status === undefined) return undefined;
  const deploymentStatus = Number(status);
  if (TRANSIENT_DEPLOYMENT_STATUSES.has(deploymentStatus) || deploymentStatus < 400) return undefined;
  const failure: DiscoveryFailure =
    deploymentStatus === 401
      ? "unauthorized"
      : deploymentStatus === 403
        ? "forbidden"
        : deploymentStatus === 404
          ? "not_found"
          : deploymentStatus === 415
            ? "unsupported_media_type"
            : "deployment_refused";
  return { failure, deploymentStatus };
}

/**
 * The error mapping for requests that make restate-server discover a deployment. The server's message
 * quotes what the deployment answered (status, headers, body), and a deployment or a proxy in front of
 * it may echo the request's headers: the values of the secret-looking headers Restate was asked to send
 * are removed from it. Then a failure that retrying cannot fix fails at once as a `DiscoveryError`.
 */
export function discoveryErrors(
  deploymentHeaders: Readonly<Record<string, string>> | null | undefined,
  uri?: string | null,
): (error: AdminClientError) => AdminClientError {
  const secrets = [
    ...Object.entries(deploymentHeaders ?? {})
      .filter(([name]) => isSecretHeader(name))
      .map(([, value]) => value),
    // The server's message quotes the address it called ("error when calling 'https://…?x-vercel-…'").
    ...urlSecrets(uri),
  ];
  return (error) => {
    if (!(error instanceof AdminApiError)) return error;
    const cleaned =
      secrets.length === 0
        ? error
        : new AdminApiError(
            error.status,
            error.restateCode,
            redactSecrets(error.serverMessage, secrets),
            error.operation,
            error.retryAfterMs,
          );
    const classified = classifyDiscoveryError(cleaned);
    if (!classified) return cleaned;
    return new DiscoveryError(cleaned, classified.failure, classified.deploymentStatus, HINTS[classified.failure]);
  };
}

/** The values of a deployment address's secret-looking query parameters, as written and decoded. */
function urlSecrets(uri: string | null | undefined): string[] {
  if (typeof uri !== "string") return [];
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return [];
  }
  const values: string[] = [];
  for (const pair of url.search.slice(1).split("&")) {
    const at = pair.indexOf("=");
    if (at < 0 || pair.length === at + 1) continue;
    const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
    let decodedName = name;
    try {
      decodedName = decodeURIComponent(name);
    } catch {}
    if (!isSecretQueryParameter(decodedName)) continue;
    values.push(value);
    try {
      values.push(decodeURIComponent(value.replace(/\+/g, " ")));
    } catch {}
  }
  return values;
}
