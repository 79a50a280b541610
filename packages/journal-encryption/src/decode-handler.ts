import { fromBase64, toBase64, utf8Decode } from "./bytes.js";
import { isJournalEncryptionError, JournalEncryptionError } from "./errors.js";

export interface DecodeHandlerOptions {
  /** Anything with the codec's `decode` (a `JournalCodec`). */
  codec: { decode(value: Uint8Array): Promise<Uint8Array> };
  /**
   * Decides whether the caller may see plaintext (check a bearer token, mTLS identity, SSO
   * header…). Required: there is no anonymous mode. Exceptions count as a refusal.
   */
  authorize: (request: Request) => boolean | Promise<boolean>;
  /** Largest accepted request body. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Most values per request. Default 100. */
  maxValues?: number;
}

/** One entry of the handler's response, in request order. */
export type DecodeResult = { ok: true; base64: string; text?: string } | { ok: false; code: string; message: string };

/**
 * Reads the body chunk by chunk and stops at `limit`: a chunked body without Content-Length (or one
 * that lies about it) is never buffered past the limit. Undefined when the body is larger.
 */
async function readBodyUpTo(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function problem(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

/**
 * A fetch-style handler (`(Request) => Promise<Response>`) that decodes journal values for
 * operators: `POST` a JSON body `{ "values": ["<base64>", …] }` and receive
 * `{ "results": [{ "ok": true, "base64": "…", "text": "…" } | { "ok": false, "code": "…", "message": "…" }] }`.
 * `text` is present when the plaintext is valid UTF-8. Refused by `authorize` → 403.
 *
 * @example
 * ```ts
 * const handler = createDecodeHandler({
 *   codec,
 *   authorize: (req) => req.headers.get("authorization") === `Bearer ${process.env.DECODE_TOKEN}`,
 * });
 * Bun.serve({ fetch: handler }); // or Deno.serve(handler), a Worker's fetch, Hono's app.post(...)
 * ```
 */
export function createDecodeHandler(options: DecodeHandlerOptions): (request: Request) => Promise<Response> {
  if (typeof options?.codec?.decode !== "function") {
    throw new JournalEncryptionError("invalid_option", "createDecodeHandler: codec with a decode function is required");
  }
  if (typeof options.authorize !== "function") {
    throw new JournalEncryptionError("invalid_option", "createDecodeHandler: authorize is required");
  }
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxValues = options.maxValues ?? 100;
  for (const [name, value] of [
    ["maxBodyBytes", maxBodyBytes],
    ["maxValues", maxValues],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new JournalEncryptionError("invalid_option", `createDecodeHandler: ${name} must be a positive integer`);
    }
  }
  return async (request) => {
    let authorized = false;
    try {
      authorized = (await options.authorize(request)) === true;
    } catch {
      authorized = false;
    }
    if (!authorized) return problem(403, "unauthorized", "request refused by authorize");
    if (request.method !== "POST") return problem(405, "method_not_allowed", "use POST");
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > maxBodyBytes) return problem(413, "body_too_large", `body exceeds ${maxBodyBytes} bytes`);
    const raw = await readBodyUpTo(request, maxBodyBytes);
    if (raw === undefined) return problem(413, "body_too_large", `body exceeds ${maxBodyBytes} bytes`);
    let values: unknown;
    try {
      values = (JSON.parse(utf8Decode(raw)) as { values?: unknown }).values;
    } catch {
      return problem(400, "invalid_request", 'body must be JSON: {"values": ["<base64>", …]}');
    }
    if (!Array.isArray(values) || values.length === 0 || values.length > maxValues) {
      return problem(400, "invalid_request", `"values" must be an array of 1..${maxValues} base64 strings`);
    }
    const results: DecodeResult[] = [];
    for (const value of values) {
      const bytes = typeof value === "string" ? fromBase64(value) : undefined;
      if (bytes === undefined) {
        results.push({ ok: false, code: "invalid_request", message: "value is not a base64 string" });
        continue;
      }
      try {
        const plaintext = await options.codec.decode(bytes);
        let text: string | undefined;
        try {
          text = utf8Decode(plaintext);
        } catch {
          text = undefined;
        }
        results.push(
          text === undefined
            ? { ok: true, base64: toBase64(plaintext) }
            : { ok: true, base64: toBase64(plaintext), text },
        );
      } catch (error) {
        results.push(
          isJournalEncryptionError(error)
            ? { ok: false, code: error.code, message: error.message }
            : { ok: false, code: "decode_failed", message: "decode failed" },
        );
      }
    }
    return json(200, { results });
  };
}
