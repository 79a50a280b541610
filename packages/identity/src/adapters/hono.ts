import type { Context, MiddlewareHandler } from "hono";
import { check, type IdentityAdapterOptions, REJECTION_HEADERS, rejectionBody, verifierFrom } from "./options.js";

export type { IdentityAdapterOptions } from "./options.js";

/**
 * Hono middleware: lets through requests signed by your Restate environment, answers
 * `401 {"code": …}` otherwise. `onReject` receives the reason and the Hono context.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { restateIdentity } from "@restate-connect/identity/hono";
 *
 * const app = new Hono();
 * app.use("/restate/*", restateIdentity({ keys: [process.env.RESTATE_IDENTITY_KEY!] }));
 * ```
 */
export function restateIdentity(options: IdentityAdapterOptions<Context>): MiddlewareHandler {
  const verifier = verifierFrom(options);
  return async (c, next) => {
    const result = await check(verifier, options, c.req.raw.headers, c.req.path, c);
    if (!result.ok) return c.body(rejectionBody(result), 401, REJECTION_HEADERS);
    await next();
  };
}
