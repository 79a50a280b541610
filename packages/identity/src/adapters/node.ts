import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import {
  check,
  type IdentityAdapterOptions,
  pathOf,
  REJECTION_HEADERS,
  rejectionBody,
  verifierFrom,
} from "./options.js";

export type { IdentityAdapterOptions } from "./options.js";

/** A request as `http`, `http2` (compatibility API), Connect and Express hand it out. */
export type NodeRequest = (IncomingMessage | Http2ServerRequest) & { originalUrl?: string };
export type NodeResponse = ServerResponse | Http2ServerResponse;
export type NodeListener<Req extends NodeRequest = NodeRequest, Res extends NodeResponse = NodeResponse> = (
  request: Req,
  response: Res,
) => void;

function targetOf(request: NodeRequest): string {
  // Express rewrites req.url below a mount point; the audience is the full path.
  return pathOf(request.originalUrl ?? request.url ?? "");
}

function sendRejection(response: NodeResponse, body: string): void {
  if (response.headersSent) return;
  response.statusCode = 401;
  for (const [name, value] of Object.entries(REJECTION_HEADERS)) response.setHeader(name, value);
  response.end(body);
}

/**
 * Wraps a Node `http`/`http2` request listener, e.g. the SDK's `createEndpointHandler` from
 * `@restatedev/restate-sdk/node`. Rejected requests get `401 {"code": …}` and never reach the listener.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http2";
 * import { createEndpointHandler } from "@restatedev/restate-sdk/node";
 * import { withIdentity } from "@restate-connect/identity/node";
 *
 * const sdk = createEndpointHandler({ services: [greeter] });
 * createServer(withIdentity(sdk, { keys: [process.env.RESTATE_IDENTITY_KEY!] })).listen(9080);
 * ```
 */
export function withIdentity<Req extends NodeRequest, Res extends NodeResponse>(
  listener: (request: Req, response: Res) => void,
  options: IdentityAdapterOptions<Req>,
): (request: Req, response: Res) => void {
  const verifier = verifierFrom(options);
  return (request, response) => {
    void check(verifier, options, request.headers, targetOf(request), request).then((result) => {
      if (!result.ok) return sendRejection(response, rejectionBody(result));
      try {
        listener(request, response);
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
 * Connect/Express-style middleware: calls `next()` for requests signed by your Restate environment,
 * answers `401 {"code": …}` otherwise. Mount it in front of the route that forwards to the SDK.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { identityMiddleware } from "@restate-connect/identity/node";
 *
 * const app = express();
 * app.use("/restate", identityMiddleware({ keys: [process.env.RESTATE_IDENTITY_KEY!] }));
 * ```
 */
export function identityMiddleware<Req extends NodeRequest, Res extends NodeResponse>(
  options: IdentityAdapterOptions<Req>,
): (request: Req, response: Res, next: (error?: unknown) => void) => void {
  const verifier = verifierFrom(options);
  return (request, response, next) => {
    void check(verifier, options, request.headers, targetOf(request), request).then((result) => {
      if (result.ok) next();
      else sendRejection(response, rejectionBody(result));
    });
  };
}
