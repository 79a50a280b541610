import type { Server as HttpServer } from "node:http";
import type { Http2Server } from "node:http2";
import type { Socket } from "node:net";
import { freePort } from "./ports.ts";

export interface LoopbackListener {
  /** e.g. http://127.0.0.1:43210 */
  readonly url: string;
  readonly port: number;
  /** The connections open right now (e.g. to drop them on purpose). */
  readonly sockets: ReadonlySet<Socket>;
  /** Stops listening and destroys every open connection, so keep-alive and HTTP/2 peers cannot hold it open. */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 (a free port unless one is given) and tracks its connections for a clean stop. */
export async function listenOnLoopback(server: HttpServer | Http2Server, port?: number): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const chosen = port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(chosen, "127.0.0.1", () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    sockets,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
