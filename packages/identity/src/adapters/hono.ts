import type { Context, MiddlewareHandler } from "hono";
import type { RequestIdentity } from "../result.js";
import { admit, type IdentityAdapterOptions, pathOf, REJECTION_HEADERS, rejectionBody, verifierFrom } from "./core.js";

export type { RequestIdentity } from "../result.js";
export type { AdapterRejection, Authorization, IdentityAdapterOptions } from "./core.js";

/** The context variable the middleware sets, like hono's own `jwt` middleware sets `jwtPayload`. */
export type IdentityVariables = { restateIdentity: RequestIdentity | undefined };

declare module "hono" {
  interface ContextVariableMap {
    /** What `restateIdentity()` verified (`undefined` for unsigned requests and the health path). */
    restateIdentity: RequestIdentity | undefined;
  }
}

/**
 * Hono middleware: lets through requests signed by your Restate environment and sets
 * `c.get("restateIdentity")`; answers `401 {"code": …}` to unverified requests and
 * `403 {"code": …}` to requests `authorize` refuses. `onReject` receives the reason and the context.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { restateIdentity } from "@restate-connect/identity/hono";
 *
 * const app = new Hono();
 * app.use("/restate/*", restateIdentity({ keys: [process.env.RESTATE_IDENTITY_KEY ?? ""] }));
 * app.post("/restate/invoke/:service/:handler", (c) => c.text(`key ${c.get("restateIdentity")?.subject}`));
 * ```
 */
export function restateIdentity(
  options: IdentityAdapterOptions<Context>,
): MiddlewareHandler<{ Variables: IdentityVariables }> {
  const verifier = verifierFrom(options);
  return async (c, next) => {
    // The path as sent (what the SDK routes on), not `c.req.path`, which hono has percent-decoded.
    const admission = await admit(verifier, options, c.req.raw.headers, pathOf(c.req.raw.url), c);
    if (!admission.ok) return c.body(rejectionBody(admission), admission.status, REJECTION_HEADERS);
    c.set("restateIdentity", admission.identity);
    await next();
  };
}
