import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createEndpointHandler, type EndpointOptions } from "@restatedev/restate-sdk";
import { listenOnLoopback } from "./listen.ts";

export type NodeRequestListener = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => void;

export interface ServeEndpointOptions extends Omit<EndpointOptions, "services"> {
  /** Serve HTTP/1.1 (request-response mode) instead of HTTP/2 cleartext. */
  http1?: boolean;
  /** Wrap the SDK handler, e.g. with an identity-checking adapter. */
  wrap?: (handler: NodeRequestListener) => NodeRequestListener;
  /** Default: a free port. */
  port?: number;
}

export interface ServedEndpoint {
  /** e.g. http://127.0.0.1:43210 — what to register with restate-server. */
  readonly url: string;
  readonly port: number;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

/** Serves Restate SDK services over HTTP/2 (or HTTP/1.1) on a loopback port for a test. */
export async function serveEndpoint(
  services: EndpointOptions["services"],
  options: ServeEndpointOptions = {},
): Promise<ServedEndpoint> {
  const { http1, wrap, port: wanted, ...endpointOptions } = options;
  const sdkHandler = createEndpointHandler({ services, ...endpointOptions }) as NodeRequestListener;
  const handler = wrap ? wrap(sdkHandler) : sdkHandler;
  const server = http1 ? createHttp1Server(handler) : createHttp2Server(handler);
  const listener = await listenOnLoopback(server, wanted);
  return { url: listener.url, port: listener.port, stop: listener.close };
}

export interface RegisterOptions {
  force?: boolean;
  useHttp11?: boolean;
}

/** Registers a deployment URL with restate-server's admin API and returns the server's answer. */
export async function register(adminUrl: string, uri: string, options: RegisterOptions = {}): Promise<unknown> {
  const response = await fetch(`${adminUrl}/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ uri, force: options.force ?? true, use_http_11: options.useHttp11 ?? false }),
  });
  const text = await response.text();
  if (!response.ok) throw new RegistrationError(response.status, text);
  return JSON.parse(text) as unknown;
}

export class RegistrationError extends Error {
  readonly code = "registration_failed";
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`registration failed with HTTP ${status}: ${body}`);
    this.status = status;
    this.body = body;
  }
}
