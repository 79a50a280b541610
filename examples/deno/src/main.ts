/**
 * The Deno service: `Deno.serve` with one fetch handler (the Restate endpoint behind request
 * identity, with encrypted journal values). Settings come from the environment; see the README.
 *
 *   deno task start
 *
 * Prints one JSON line per event: `listening`, `identity_rejected` (the full reason; the caller only
 * gets `401 {"code": …}`) and `startup_failed`.
 */
import { createRestateHandler, type FetchHandler } from "./handler.ts";

function event(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

function startupFailed(error: unknown): never {
  const { code, message } = error as { code?: unknown; message?: unknown };
  event({ event: "startup_failed", code: typeof code === "string" ? code : "unexpected", message: String(message) });
  Deno.exit(1);
}

let handler: FetchHandler;
try {
  handler = createRestateHandler(Deno.env.toObject(), (rejection) =>
    event({ event: "identity_rejected", code: rejection.code, message: rejection.message }),
  );
} catch (error) {
  startupFailed(error);
}

const port = Number(Deno.env.get("PORT") ?? "9080");
Deno.serve(
  {
    port,
    hostname: Deno.env.get("HOSTNAME") ?? "0.0.0.0",
    onListen: ({ port }) => event({ event: "listening", port }),
  },
  handler,
);
