import type { HeaderInput } from "../headers.js";
import type { RequestIdentity } from "../result.js";
import {
  admit,
  type IdentityAdapterOptions,
  identityOf as identityOfObject,
  REJECTION_HEADERS,
  rejectionBody,
  remember,
  verifierFrom,
} from "./core.js";

export type { RequestIdentity } from "../result.js";
export type { AdapterRejection, Authorization, IdentityAdapterOptions } from "./core.js";

/**
 * The HTTP-shaped Lambda events this adapter understands: Restate's own Lambda payload and API
 * Gateway REST (v1) events (`path`), API Gateway HTTP (v2) and function-URL events (`rawPath`).
 */
export type LambdaHttpEvent = (
  | { path: string; headers?: Record<string, string | undefined> | null }
  | { rawPath: string; headers?: Record<string, string | undefined> | null }
) & { multiValueHeaders?: Record<string, readonly string[] | undefined> | null };

/**
 * The event's headers for the verifier. API Gateway REST events keep only the last value of a repeated
 * header in `headers` and all of them in `multiValueHeaders`: a repeated identity header must be
 * refused (`duplicate_header`) like in every other runtime, not silently reduced to its last value.
 */
function headersOf(event: LambdaHttpEvent): HeaderInput {
  const single = (event.headers ?? {}) as Record<string, string | undefined>;
  const multi = event.multiValueHeaders;
  if (multi === null || typeof multi !== "object") return single;
  const extra: [string, string][] = [];
  for (const [name, values] of Object.entries(multi))
    if (Array.isArray(values) && values.length > 1) for (const value of values.slice(1)) extra.push([name, value]);
  if (extra.length === 0) return single;
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(single)) if (typeof value === "string") pairs.push([name, value]);
  return [...pairs, ...extra];
}

/** What a turned-away invocation returns: an HTTP-shaped Lambda result that Restate and API Gateway both read. */
export interface LambdaRejection {
  statusCode: 401 | 403;
  headers: { "content-type": "application/json" };
  body: string;
  isBase64Encoded: false;
}

/**
 * Wraps an async Lambda handler, e.g. the SDK's `createEndpointHandler` from
 * `@restatedev/restate-sdk/lambda`: the handler only runs for requests signed by your Restate
 * environment; others get `{ statusCode: 401, body: '{"code":…}' }` (403 when `authorize` refuses).
 * Inside the handler, {@link identityOf}`(event)` returns what was verified.
 *
 * @example
 * ```ts
 * import * as restate from "@restatedev/restate-sdk/lambda";
 * import { withIdentity } from "@restate-connect/identity/lambda";
 *
 * const greeter = restate.service({ name: "Greeter", handlers: { greet: async () => "hi" } });
 * export const handler = withIdentity(restate.createEndpointHandler({ services: [greeter] }), {
 *   keys: [process.env.RESTATE_IDENTITY_KEY ?? ""],
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
    const headers = event !== null && typeof event === "object" ? headersOf(event) : {};
    const admission = await admit(verifier, options, headers, typeof path === "string" ? path : "", event);
    if (!admission.ok)
      return {
        statusCode: admission.status,
        headers: { ...REJECTION_HEADERS },
        body: rejectionBody(admission),
        isBase64Encoded: false,
      };
    if (event !== null && typeof event === "object") remember(event, admission.identity);
    return handler(event, context);
  };
}

/** The identity {@link withIdentity} verified for this event object, or `undefined`. */
export function identityOf(event: LambdaHttpEvent): RequestIdentity | undefined {
  return identityOfObject(event);
}
