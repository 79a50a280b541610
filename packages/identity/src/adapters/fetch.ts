import {
  check,
  type IdentityAdapterOptions,
  pathOf,
  REJECTION_HEADERS,
  rejectionBody,
  verifierFrom,
} from "./options.js";

export type { IdentityAdapterOptions } from "./options.js";

/**
 * Wraps a Fetch-style handler (`(Request, ...rest) => Response`) so only requests signed by your
 * Restate environment reach it: Vercel, Cloudflare Workers, Deno, Bun, or the SDK's `/fetch` endpoint.
 * Rejected requests get `401 {"code": …}`; `onReject` sees the full reason.
 *
 * @example
 * ```ts
 * import { createEndpointHandler } from "@restatedev/restate-sdk/fetch";
 * import { withIdentity } from "@restate-connect/identity/fetch";
 *
 * const handler = createEndpointHandler({ services: [greeter] });
 * export default withIdentity(handler, {
 *   keys: [process.env.RESTATE_IDENTITY_KEY!],
 *   onReject: (r) => console.warn("rejected Restate request", r.code, r.message),
 * });
 * ```
 */
export function withIdentity<Rest extends unknown[]>(
  handler: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  options: IdentityAdapterOptions<Request>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const verifier = verifierFrom(options);
  return async (request, ...rest) => {
    const result = await check(verifier, options, request.headers, pathOf(request.url), request);
    if (!result.ok) return new Response(rejectionBody(result), { status: 401, headers: REJECTION_HEADERS });
    return handler(request, ...rest);
  };
}
