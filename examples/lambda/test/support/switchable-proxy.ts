import { createServer, type Server } from "node:http";
import { listenOnLoopback } from "@restate-connect/testkit";
import { readBody } from "./sts-recorder.ts";

export interface SwitchableProxy {
  readonly url: string;
  /** While down, every request's connection is dropped, as with a network partition. */
  setUp(up: boolean): void;
  stop(): Promise<void>;
}

/** An HTTP forwarder the test can cut and restore (moto keeps its keys in memory: never restart it). */
export async function startSwitchableProxy(upstream: string): Promise<SwitchableProxy> {
  let up = true;
  const server: Server = createServer((request, response) => {
    if (!up) {
      request.socket.destroy();
      return;
    }
    void (async () => {
      const body = await readBody(request);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined || name === "host" || name === "connection" || name === "content-length") continue;
        headers.set(name, Array.isArray(value) ? value.join(",") : value);
      }
      const answer = await fetch(new URL(request.url ?? "/", upstream), {
        method: request.method ?? "POST",
        headers,
        body: body.length > 0 ? new Uint8Array(body) : undefined,
      });
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "content-length" && name !== "transfer-encoding" && name !== "content-encoding") out[name] = value;
      });
      response.writeHead(answer.status, out);
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => request.socket.destroy());
  });
  const listener = await listenOnLoopback(server);
  return {
    url: listener.url,
    setUp: (value) => {
      up = value;
      if (!value) for (const socket of listener.sockets) socket.destroy();
    },
    stop: listener.close,
  };
}
