import type { HeaderInput } from "../headers.js";
import { check, type IdentityAdapterOptions, REJECTION_HEADERS, rejectionBody, verifierFrom } from "./options.js";

export type { IdentityAdapterOptions } from "./options.js";

/**
 * The HTTP-shaped Lambda events this adapter understands: Restate's own Lambda payload and API
 * Gateway REST (v1) events (`path`), API Gateway HTTP (v2) and function-URL events (`rawPath`).
 */
export type LambdaHttpEvent =
  | { path: string; headers?: Record<string, string | undefined> | null }
  | { rawPath: string; headers?: Record<string, string | undefined> | null };

/** What a rejected invocation returns: an HTTP-shaped Lambda result that Restate and API Gateway both read. */
export interface LambdaRejection {
  statusCode: 401;
  headers: { "content-type": "application/json" };
  body: string;
  isBase64Encoded: false;
}

/**
 * Wraps an async Lambda handler, e.g. the SDK's `createEndpointHandler` from
 * `@restatedev/restate-sdk/lambda`: the handler only runs for requests signed by your Restate
 * environment; others get `{ statusCode: 401, body: '{"code":…}' }`.
 *
 * @example
 * ```ts
 * import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
 * import { withIdentity } from "@restate-connect/identity/lambda";
 *
 * export const handler = withIdentity(createEndpointHandler({ services: [greeter] }), {
 *   keys: [process.env.RESTATE_IDENTITY_KEY!],
 * });
 * ```
 */
export function withIdentity<Event extends LambdaHttpEvent, Context, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  options: IdentityAdapterOptions<Event>,
): (event: Event, context: Context) => Promise<Result | LambdaRejection> {
  const verifier = verifierFrom(options);
  return async (event, context) => {
    const path = event !== null && typeof event === "object" ? ("path" in event ? event.path : event.rawPath) : "";
    const headers: HeaderInput = (event?.headers ?? {}) as HeaderInput;
    const result = await check(verifier, options, headers, typeof path === "string" ? path : "", event);
    if (!result.ok)
      return {
        statusCode: 401,
        headers: { ...REJECTION_HEADERS },
        body: rejectionBody(result),
        isBase64Encoded: false,
      };
    return handler(event, context);
  };
}
