import type { RequestIdentity } from "../result.js";
import {
  admit,
  type IdentityAdapterOptions,
  identityOf as identityOfObject,
  pathOf,
  REJECTION_HEADERS,
  rejectionBody,
  remember,
  verifierFrom,
} from "./core.js";

export type { RequestIdentity } from "../result.js";
export type { AdapterRejection, Authorization, IdentityAdapterOptions } from "./core.js";

/**
 * Wraps a Fetch-style handler (`(Request, ...rest) => Response`) so only requests signed by your
 * Restate environment reach it: Vercel, Cloudflare Workers, Deno, Bun, or the SDK's `/fetch` endpoint.
 * Unverified requests get `401 {"code": …}`, requests `authorize` refuses `403 {"code": …}`;
 * `onReject` sees the full reason. Inside the handler, {@link identityOf} returns what was verified.
 *
 * @example
 * ```ts
 * import * as restate from "@restatedev/restate-sdk/fetch";
 * import { withIdentity } from "@restate-connect/identity/fetch";
 *
 * const greeter = restate.service({ name: "Greeter", handlers: { greet: async () => "hi" } });
 * const handler = restate.createEndpointHandler({ services: [greeter] });
 * export default withIdentity(handler, {
 *   keys: [process.env.RESTATE_IDENTITY_KEY ?? ""],
 *   onReject: (r) => console.warn("rejected Restate request", r.status, r.code, r.message),
 * });
 * ```
 */
export function withIdentity<Rest extends unknown[]>(
  handler: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  options: IdentityAdapterOptions<Request>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const verifier = verifierFrom(options);
  return async (request, ...rest) => {
    const admission = await admit(verifier, options, request.headers, pathOf(request.url), request);
    if (!admission.ok)
      return new Response(rejectionBody(admission), { status: admission.status, headers: REJECTION_HEADERS });
    remember(request, admission.identity);
    return handler(request, ...rest);
  };
}

/**
 * The identity {@link withIdentity} verified for this `Request` (the same object the handler received),
 * or `undefined` for unsigned requests (`allowUnsigned`) and the health path (`allowHealth`).
 *
 * @example
 * ```ts
 * import { identityOf, withIdentity } from "@restate-connect/identity/fetch";
 *
 * export default withIdentity(
 *   (request: Request) => new Response(`object key: ${identityOf(request)?.subject ?? "none"}`),
 *   { keys: [process.env.RESTATE_IDENTITY_KEY ?? ""] },
 * );
 * ```
 */
export function identityOf(request: Request): RequestIdentity | undefined {
  return identityOfObject(request);
}
