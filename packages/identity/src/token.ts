import { decodeBase64Url, decodeUtf8, encodeAscii } from "./base64url.js";
import { parseJsonObject, quote } from "./json.js";
import { type Rejected, reject } from "./result.js";

/** Tokens from Restate are ~300 characters; anything this large is hostile and is refused before decoding. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

/** A compact JWS split and decoded, not yet verified. */
export interface ParsedToken {
  kid: string | undefined;
  payload: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

function malformed(message: string): Rejected {
  return reject("malformed_token", message);
}

function decodeSegment(segment: string, name: string): { ok: true; value: Record<string, unknown> } | Rejected {
  let text: string;
  try {
    text = decodeUtf8(decodeBase64Url(segment));
  } catch (error) {
    return malformed(`JWT ${name}: ${(error as Error).message.replace(/^The encoded data .*$/, "invalid UTF-8")}`);
  }
  const parsed = parseJsonObject(text);
  return parsed.ok ? parsed : malformed(`JWT ${name} ${parsed.why}`);
}

const MAX_REMEMBERED_HEADERS = 32;
/** Validated header segments → their `kid` (null when absent). Bounded; cleared when full. */
const validatedHeaders = new Map<string, string | null>();

/**
 * The only JWT header members restate-server sends. Anything else (`b64`, `jwk`, `jku`, `x5u`, `crit`,
 * …) changes how some JOSE library reads the token, or makes Restate's own verifier refuse it, so it is
 * refused here: one reading of a token, the strictest.
 */
const HEADER_MEMBERS = new Set(["typ", "alg", "kid"]);

/** Decodes and checks a JWT header segment: `alg` exactly `EdDSA`, `typ` JWT if present, no other members. */
function checkHeader(segment: string): { ok: true; kid: string | null } | Rejected {
  const header = decodeSegment(segment, "header");
  if (!header.ok) return header;
  const { alg, kid, typ } = header.value;
  if (alg !== "EdDSA")
    return {
      ok: false,
      code: "unsupported_algorithm",
      message: `JWT alg is ${alg === undefined ? "missing" : typeof alg === "string" ? quote(alg) : `of type ${typeof alg}`}, only "EdDSA" is accepted`,
    };
  for (const member in header.value)
    if (!HEADER_MEMBERS.has(member))
      return malformed(`JWT header member ${quote(member, 32)} is not one restate-server sends (typ, alg, kid)`);
  if (kid !== undefined && typeof kid !== "string") return malformed("JWT header kid is not a string");
  if (typ !== undefined && (typeof typ !== "string" || typ.toUpperCase() !== "JWT"))
    return malformed(
      `JWT header typ is ${typeof typ === "string" ? quote(typ) : `of type ${typeof typ}`}, expected "JWT"`,
    );
  return { ok: true, kid: kid ?? null };
}

/** Splits and decodes a compact JWS, enforcing Restate's header: `alg` exactly `EdDSA`, `typ` JWT if present, nothing else. */
export function parseToken(token: string): { ok: true; token: ParsedToken } | Rejected {
  if (token.length > MAX_TOKEN_LENGTH)
    return malformed(`token is ${token.length} characters, more than the limit of ${MAX_TOKEN_LENGTH}`);
  const first = token.indexOf(".");
  const second = first < 0 ? -1 : token.indexOf(".", first + 1);
  if (second < 0 || token.indexOf(".", second + 1) >= 0) {
    const parts = token.split(".").length;
    return malformed(`a compact JWS has 3 dot-separated parts, this token has ${parts}`);
  }
  if (first === 0 || second === first + 1 || second === token.length - 1)
    return malformed("a JWS part is empty (unsecured or detached tokens are not accepted)");

  const headerSegment = token.slice(0, first);
  let kid = validatedHeaders.get(headerSegment);
  if (kid === undefined) {
    const header = checkHeader(headerSegment);
    if (!header.ok) return header;
    kid = header.kid;
    // Restate sends the same header segment with every token of a key: remember a few validated ones.
    if (validatedHeaders.size >= MAX_REMEMBERED_HEADERS) validatedHeaders.clear();
    validatedHeaders.set(headerSegment, kid);
  }

  const payload = decodeSegment(token.slice(first + 1, second), "payload");
  if (!payload.ok) return payload;

  let signature: Uint8Array;
  try {
    signature = decodeBase64Url(token.slice(second + 1));
  } catch (error) {
    return malformed(`JWT signature: ${(error as Error).message}`);
  }
  if (signature.length !== 64) return malformed(`Ed25519 signatures are 64 bytes, this one is ${signature.length}`);

  return {
    ok: true,
    token: {
      kid: kid ?? undefined,
      payload: payload.value,
      signingInput: encodeAscii(token.slice(0, second)),
      signature,
    },
  };
}
