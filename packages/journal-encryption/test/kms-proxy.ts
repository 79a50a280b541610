import { createServer, request as httpRequest, type Server } from "node:http";
import type { Socket } from "node:net";

/**
 * An HTTP proxy in front of moto's KMS, on a fixed loopback port, used to take KMS away:
 * - `cut()` closes the listener and every connection (the network path is gone);
 * - `disableKeyResponses(true)` answers GenerateDataKey/Decrypt with the `DisabledException` that
 *   AWS KMS returns for a disabled key (moto records DisableKey but does not enforce it).
 */
export interface KmsProxy {
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  disableKeyResponses(on: boolean): void;
  stop(): Promise<void>;
}

const CRYPTO_OPERATIONS = new Set(["TrentService.GenerateDataKey", "TrentService.Decrypt"]);

export async function startKmsProxy(target: string): Promise<KmsProxy> {
  const targetUrl = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let disabled = false;

  const handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    if (disabled && CRYPTO_OPERATIONS.has(String(req.headers["x-amz-target"]))) {
      req.resume();
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "proxy" });
      res.end(JSON.stringify({ __type: "DisabledException", message: "The key is disabled." }));
      return;
    }
    const upstream = httpRequest(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(handler);
      s.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        const address = s.address();
        if (address && typeof address === "object") port = address.port;
        server = s;
        resolve();
      });
    });

  const close = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (!s) return resolve();
      s.close(() => resolve());
    });

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    cut: close,
    restore: listen,
    disableKeyResponses: (on) => {
      disabled = on;
    },
    stop: close,
  };
}
