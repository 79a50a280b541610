import { ConfigError } from "@restate-connect/example-service-settings";
import { createRestateHandler, type FetchHandler } from "../../../restate/endpoint";

// Restate calls this route as `/restate/discover` and `/restate/invoke/<Service>/<handler>`.
// Route handlers run in the Node.js runtime; every request is dynamic.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 60;

// Built on the first request, not at import: `next build` imports this module without the secrets.
let handler: FetchHandler | undefined;

async function serve(request: Request): Promise<Response> {
  try {
    handler ??= createRestateHandler(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`restate endpoint misconfigured: ${error.message}`);
    return Response.json({ code: error.code }, { status: 500 });
  }
  return handler(request);
}

export const GET = serve;
export const POST = serve;
