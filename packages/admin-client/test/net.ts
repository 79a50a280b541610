import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface Closable {
  close(): Promise<void>;
}

function track(server: Server): { close: () => Promise<void>; drop: () => void } {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      drop();
    });
    return closing;
  };
  return { close, drop };
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/**
 * A TCP forwarder on `port` to `target` (host:port). In `reset` mode it accepts connections and drops
 * them at once, like a load balancer without a healthy backend.
 */
export async function tcpForwarder(
  port: number,
  target: URL,
): Promise<Closable & { mode: "forward" | "reset"; dropConnections(): void }> {
  const state = { mode: "forward" as "forward" | "reset" };
  const server = createServer((client) => {
    if (state.mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    upstream.on("error", drop);
  });
  const { close, drop } = track(server);
  await listen(server, port);
  return Object.assign(state, { close, dropConnections: drop });
}

/** A TCP server that accepts connections and never answers. */
export async function blackHole(port: number): Promise<Closable> {
  const server = createServer(() => {});
  const { close } = track(server);
  await listen(server, port);
  return { close };
}

/**
 * An HTTP reverse proxy that requires `Authorization: Bearer <token>`. Its 401 answer echoes the header
 * it received, as careless proxies do, so tests can prove the client scrubs it. Records request paths.
 */
export async function bearerProxy(
  port: number,
  target: string,
  token: string,
): Promise<Closable & { paths: string[] }> {
  const paths: string[] = [];
  const upstream = new URL(target);
  const server = createHttpServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" });
      res.end(`unauthorized: got authorization=${req.headers.authorization ?? "(none)"}`);
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end("bad gateway");
    });
    req.pipe(forward);
  });
  const { close } = track(server);
  await listen(server, port);
  return { paths, close };
}
