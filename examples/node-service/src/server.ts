/**
 * The service process: the SDK's Node endpoint over HTTP/2, behind request identity, with encrypted
 * journal values. Configuration comes from the environment (see config.ts and the README).
 *
 * Prints one JSON line per event on stdout: `listening`, `identity_rejected` (the full reason the
 * identity adapter's `onReject` hook received; the caller itself only gets `401 {"code": …}`),
 * `startup_failed` and `stopped`.
 */
import { createServer, type ServerHttp2Session } from "node:http2";
import { createCodec } from "./codec.ts";
import { serviceConfigFromEnv } from "./config.ts";
import { createServiceHandler } from "./handler.ts";

function event(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
}

async function main(): Promise<void> {
  const config = serviceConfigFromEnv(process.env);
  const codec = await createCodec(config.encryption);

  const handler = createServiceHandler({
    identityKeys: config.identityKeys,
    codec,
    onReject: (rejection, request) =>
      event({ event: "identity_rejected", code: rejection.code, message: rejection.message, path: request.url }),
  });

  const server = createServer(handler);
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, resolve);
  });
  event({ event: "listening", port: config.port, encryption: config.encryption.provider });

  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      server.close(() => {
        codec.close();
        event({ event: "stopped" });
        process.exit(0);
      });
      // Restate keeps its HTTP/2 connections open; close them instead of waiting for it to hang up.
      for (const session of sessions) session.close();
      setTimeout(() => process.exit(0), 2000).unref();
    });
  }
}

main().catch((error: unknown) => {
  const { code, message } = error as { code?: unknown; message?: unknown };
  event({ event: "startup_failed", code: typeof code === "string" ? code : "unexpected", message: String(message) });
  process.exit(1);
});
