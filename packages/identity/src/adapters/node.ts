import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { RequestIdentity } from "../result.js";
import {
  type AdapterRejection,
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

/** A request as `http`, `http2` (compatibility API), Connect and Express hand it out. */
export type NodeRequest = (IncomingMessage | Http2ServerRequest) & { originalUrl?: string };
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** A listener for both `http` and `http2` servers, like the SDK's `createEndpointHandler` returns. */
export type DualListener = {
  (request: IncomingMessage, response: ServerResponse): void;
  (request: Http2ServerRequest, response: Http2ServerResponse): void;
};

/** A request after an adapter of this package let it through: `restateIdentity` holds what was verified. */
export type IdentifiedRequest<Req extends NodeRequest = NodeRequest> = Req & {
  readonly restateIdentity?: RequestIdentity;
};

declare global {
  // Express (and Connect-style frameworks typed through it) see the property on `req`.
  namespace Express {
    interface Request {
      /** What `identityMiddleware` verified (`undefined` for unsigned requests and the health path). */
      readonly restateIdentity?: RequestIdentity;
    }
  }
}

function targetOf(request: NodeRequest): string {
  // Express rewrites req.url below a mount point; the audience is the full path.
  return pathOf(request.originalUrl ?? request.url ?? "");
}

function sendRejection(response: NodeResponse, rejection: AdapterRejection): void {
  if (response.headersSent) return;
  response.statusCode = rejection.status;
  for (const [name, value] of Object.entries(REJECTION_HEADERS)) response.setHeader(name, value);
  response.end(rejectionBody(rejection));
}

function attach(request: NodeRequest, identity: RequestIdentity | undefined): void {
  if (identity === undefined) return;
  remember(request, identity);
  Object.defineProperty(request, "restateIdentity", { value: identity, enumerable: false, configurable: true });
}

/**
 * Wraps a Node `http`/`http2` request listener, e.g. the SDK's `createEndpointHandler` from
 * `@restatedev/restate-sdk/node`. Unverified requests get `401 {"code": …}`, requests `authorize`
 * refuses `403 {"code": …}`; neither reaches the listener. The wrapped listener has the listener's
 * own type (the SDK's handler keeps both its HTTP/1.1 and HTTP/2 overloads), and a request that got
 * through carries `request.restateIdentity` (also {@link identityOf}`(request)`).
 *
 * Behind this wrapper the SDK (without its own `identityKeys`) logs "Accepting requests without
 * validating request signatures" once per protocol mode: that is the SDK's view; the wrapper has
 * already verified every request that reaches it.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import * as restate from "@restatedev/restate-sdk";
 * import { withIdentity } from "@restate-connect/identity/node";
 *
 * const greeter = restate.service({ name: "Greeter", handlers: { greet: async () => "hi" } });
 * const sdk = restate.createEndpointHandler({ services: [greeter] });
 * createServer(withIdentity(sdk, { keys: [process.env.RESTATE_IDENTITY_KEY ?? ""] })).listen(9080);
 * ```
 */
export function withIdentity<Listener extends DualListener>(
  listener: Listener,
  options: IdentityAdapterOptions<NodeRequest>,
): Listener;
export function withIdentity<Req extends NodeRequest, Res extends NodeResponse>(
  listener: (request: Req, response: Res) => void,
  options: IdentityAdapterOptions<Req>,
): (request: Req, response: Res) => void;
export function withIdentity(
  listener: (request: NodeRequest, response: NodeResponse) => void,
  options: IdentityAdapterOptions<NodeRequest>,
): (request: NodeRequest, response: NodeResponse) => void {
  const verifier = verifierFrom(options);
  const inner = listener;
  return (request: NodeRequest, response: NodeResponse): void => {
    void admit(verifier, options, request.headers, targetOf(request), request).then((admission) => {
      if (!admission.ok) return sendRejection(response, admission);
      attach(request, admission.identity);
      try {
        inner(request, response);
      } catch (error) {
        // Keep the semantics of an unwrapped listener: a synchronous throw is an uncaught exception,
        // not an unhandled promise rejection created by this wrapper.
        queueMicrotask(() => {
          throw error;
        });
      }
    });
  };
}

/**
 * Connect/Express-style middleware: calls `next()` for requests signed by your Restate environment
 * (setting `req.restateIdentity`), answers `401 {"code": …}` to unverified requests and
 * `403 {"code": …}` to requests `authorize` refuses. Mount it in front of the route that forwards to the SDK.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { identityMiddleware } from "@restate-connect/identity/node";
 *
 * const app = express();
 * app.use("/restate", identityMiddleware({ keys: [process.env.RESTATE_IDENTITY_KEY ?? ""] }));
 * app.post("/restate/invoke/:service/:handler", (req, res) => {
 *   res.json({ object: req.restateIdentity?.subject ?? null });
 * });
 * ```
 */
export function identityMiddleware<Req extends NodeRequest, Res extends NodeResponse>(
  options: IdentityAdapterOptions<Req>,
): (request: Req, response: Res, next: (error?: unknown) => void) => void {
  const verifier = verifierFrom(options);
  return (request, response, next) => {
    void admit(verifier, options, request.headers, targetOf(request), request).then((admission) => {
      if (!admission.ok) return sendRejection(response, admission);
      attach(request, admission.identity);
      next();
    });
  };
}

/** The identity this package's adapter verified for a Node request, or `undefined`. */
export function identityOf(request: NodeRequest): RequestIdentity | undefined {
  return identityOfObject(request);
}
