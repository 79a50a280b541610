import { LruCache } from "./cache.js";
import { type IdentityClaims, readClaims } from "./claims.js";
import {
  CRYPTO_OPTIONS,
  type CryptoBackend,
  type CryptoName,
  type CryptoOption,
  loadBackend,
  selectBackend,
  type VerifyFunction,
} from "./crypto.js";
import { IdentityError } from "./errors.js";
import { type HeaderInput, JWT_HEADER, MULTIPLE, readHeader, SCHEME_HEADER } from "./headers.js";
import { quote } from "./json.js";
import { parsePublicKey } from "./keys.js";
import { audienceOf } from "./path.js";
import { type Accepted, type Rejected, reject, type VerificationResult } from "./result.js";
import { parseToken } from "./token.js";

export interface VerifierOptions {
  /** Accepted `publickeyv1_…` keys. Several keys allow rotation: a token verifies if any key verifies it. */
  keys: readonly string[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. Default 0 (Restate's own leeway is built into the token). */
  clockToleranceSeconds?: number;
  /**
   * Accept requests marked `unsigned` (or without a scheme). Default `false`. Required to construct a
   * verifier with no keys. Signed requests are still verified against `keys`.
   */
  allowUnsigned?: boolean;
  /** Verified-token cache: `false` disables it. Default `{ maxEntries: 1024 }`. */
  cache?: boolean | { maxEntries?: number };
  /** Ed25519 implementation. Default `"auto"`: Node crypto, else Web Crypto, else @noble/ed25519. */
  crypto?: CryptoOption;
  /**
   * Clock in milliseconds since the epoch. Default `Date.now`. A clock that throws or returns anything
   * but a finite number ≥ 0 makes every signed request a rejection (`internal_error`), never an acceptance.
   */
  now?: () => number;
}

export interface Verifier {
  /**
   * Checks the identity headers of a request to `path` (the request path, with or without a prefix;
   * query strings must already be removed), as sent. A path routers could read differently (dot
   * segments that change its audience, backslashes, a query, characters a URL parser would
   * percent-encode, `//` at the start) is an `audience_mismatch`. Never throws: every problem is a {@link Rejected}.
   */
  verify(headers: HeaderInput, path: string): Promise<VerificationResult>;
  /** The Ed25519 implementation in use (settled after {@link Verifier.ready}). */
  readonly crypto: CryptoName;
  /** Resolves once keys are imported into the crypto implementation; rejects if a forced one is unavailable. */
  ready(): Promise<CryptoName>;
  /** The configured keys, in order. */
  readonly keyIds: readonly string[];
}

interface CachedToken {
  keyId: string;
  claims: IdentityClaims;
}

interface ImportedKey {
  id: string;
  verify: VerifyFunction;
}

const UNSIGNED: Accepted = Object.freeze({
  ok: true,
  signed: false,
  keyId: undefined,
  claims: undefined,
  subject: undefined,
});

function validateOptions(options: VerifierOptions): { tolerance: number; cacheSize: number } {
  if (options === null || typeof options !== "object")
    throw new IdentityError("invalid_option", "createVerifier needs an options object with keys");
  if (!Array.isArray(options.keys))
    throw new IdentityError("invalid_option", "options.keys must be an array of publickeyv1_ strings");
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0)
    throw new IdentityError("invalid_option", "clockToleranceSeconds must be a finite number ≥ 0");
  const cache = options.cache ?? true;
  let cacheSize = 0;
  if (cache === true) cacheSize = 1024;
  else if (cache !== false) {
    cacheSize = cache.maxEntries ?? 1024;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 1)
      throw new IdentityError("invalid_option", "cache.maxEntries must be a whole number ≥ 1");
  }
  if (options.crypto !== undefined && !CRYPTO_OPTIONS.includes(options.crypto))
    throw new IdentityError("invalid_option", 'crypto must be "auto", "node", "webcrypto" or "noble"');
  if (options.now !== undefined && typeof options.now !== "function")
    throw new IdentityError("invalid_option", "now must be a function returning epoch milliseconds");
  if (options.allowUnsigned !== undefined && typeof options.allowUnsigned !== "boolean")
    throw new IdentityError("invalid_option", "allowUnsigned must be a boolean");
  if (options.keys.length === 0 && options.allowUnsigned !== true)
    throw new IdentityError(
      "no_keys",
      "no public keys configured: pass keys, or allowUnsigned: true to explicitly accept unsigned requests",
    );
  return { tolerance, cacheSize };
}

/**
 * Creates a verifier for Restate request identity (Ed25519-signed JWTs, scheme `v1`).
 * Fails closed: throws {@link IdentityError} for a bad key (naming its index and what is wrong) or for
 * an empty key list without `allowUnsigned: true`.
 *
 * @example
 * ```ts
 * import { createVerifier } from "@restate-connect/identity";
 *
 * const verifier = createVerifier({ keys: [process.env.RESTATE_IDENTITY_KEY ?? ""] });
 * export async function guard(request: Request): Promise<Response | undefined> {
 *   const result = await verifier.verify(request.headers, new URL(request.url).pathname);
 *   if (!result.ok) return new Response(JSON.stringify({ code: result.code }), { status: 401 });
 *   return undefined;
 * }
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { tolerance, cacheSize } = validateOptions(options);
  const raw = options.keys.map((key, index) => parsePublicKey(key, index));
  const keyIds: readonly string[] = Object.freeze([...options.keys]);
  const allowUnsigned = options.allowUnsigned === true;
  const preference: CryptoOption = options.crypto ?? "auto";
  const now = options.now ?? Date.now;
  const cache = cacheSize > 0 ? new LruCache<CachedToken>(cacheSize) : undefined;

  let cryptoName: CryptoName = selectBackend(preference);
  let imported: ImportedKey[] | undefined;
  let importing: Promise<ImportedKey[]> | undefined;
  const importKeys = (): Promise<ImportedKey[]> => {
    importing ??= loadBackend(preference).then(async (backend: CryptoBackend) => {
      cryptoName = backend.name;
      const verifiers = await Promise.all(raw.map((bytes) => backend.importPublicKey(bytes)));
      imported = verifiers.map((verify, i) => ({ id: keyIds[i] as string, verify }));
      return imported;
    });
    return importing;
  };
  // Start importing right away so the first request does not pay for it; errors surface in verify/ready.
  importKeys().catch(() => {});

  const checkTimeAndAudience = (entry: CachedToken, audience: string): VerificationResult => {
    const { claims } = entry;
    const millis: unknown = now();
    // Every comparison with NaN is false: a broken clock must not make expired tokens pass.
    if (typeof millis !== "number" || !Number.isFinite(millis) || millis < 0)
      return reject("internal_error", "the clock (now) did not return epoch milliseconds; refusing the request");
    const seconds = Math.floor(millis / 1000);
    if (seconds > claims.exp + tolerance) return reject("expired", `the token expired ${seconds - claims.exp} s ago`);
    if (seconds < claims.nbf - tolerance)
      return reject("not_yet_valid", `the token is not valid for another ${claims.nbf - seconds} s (clock skew?)`);
    if (claims.aud !== audience)
      return reject("audience_mismatch", `token audience ${quote(claims.aud)}, request path ${quote(audience)}`);
    return { ok: true, signed: true, keyId: entry.keyId, claims, subject: claims.sub };
  };

  const verifySignature = async (token: string, audience: string): Promise<VerificationResult> => {
    const parsed = parseToken(token);
    if (!parsed.ok) return parsed;
    const { kid, payload, signingInput, signature } = parsed.token;
    const keys = imported ?? (await importKeys());
    if (keys.length === 0) return reject("bad_signature", "no public keys are configured to verify signed requests");
    // `kid` is only a hint for the order; acceptance needs a verifying key.
    const hinted = kid === undefined ? -1 : keys.findIndex((key) => key.id === kid);
    let verifiedBy: string | undefined;
    if (hinted >= 0 && (await (keys[hinted] as ImportedKey).verify(signingInput, signature)))
      verifiedBy = (keys[hinted] as ImportedKey).id;
    for (let i = 0; verifiedBy === undefined && i < keys.length; i++) {
      if (i === hinted) continue;
      const key = keys[i] as ImportedKey;
      if (await key.verify(signingInput, signature)) verifiedBy = key.id;
    }
    if (verifiedBy === undefined)
      return reject(
        "bad_signature",
        keys.length === 1
          ? "the signature does not verify with the configured key"
          : `the signature does not verify with any of the ${keys.length} configured keys`,
      );
    const claims = readClaims(payload);
    if (!claims.ok) return claims;
    const entry: CachedToken = { keyId: verifiedBy, claims: claims.claims };
    cache?.set(token, entry);
    return checkTimeAndAudience(entry, audience);
  };

  const verify = async (headers: HeaderInput, path: string): Promise<VerificationResult> => {
    try {
      if (typeof path !== "string") return reject("audience_mismatch", "no request path given");
      const audience = audienceOf(path);
      if (audience === undefined)
        return reject(
          "audience_mismatch",
          `the request path ${quote(path)} leads elsewhere once its dot segments, backslashes or escapes are read; refusing it`,
        );
      const scheme = readHeader(headers, SCHEME_HEADER);
      if (scheme === MULTIPLE) return reject("duplicate_header", `${SCHEME_HEADER} was sent more than once`);
      if (scheme === undefined)
        return allowUnsigned ? UNSIGNED : reject("missing_scheme", `the request has no ${SCHEME_HEADER} header`);
      if (scheme === "unsigned")
        return allowUnsigned
          ? UNSIGNED
          : reject("unsigned", "the request is unsigned, but signed requests are required");
      if (scheme !== "v1")
        return reject("unknown_scheme", `unknown signature scheme ${quote(scheme, 32)}, expected "v1"`);
      const token = readHeader(headers, JWT_HEADER);
      if (token === MULTIPLE) return reject("duplicate_header", `${JWT_HEADER} was sent more than once`);
      if (token === undefined || token === "")
        return reject("missing_token", `scheme v1 without a ${JWT_HEADER} header`);
      const cached = cache?.get(token);
      if (cached !== undefined) {
        const result = checkTimeAndAudience(cached, audience);
        if (!result.ok && result.code === "expired") cache?.delete(token);
        return result;
      }
      return await verifySignature(token, audience);
    } catch (error) {
      // Fail closed: any internal problem (a forced crypto implementation missing in this runtime, a
      // clock that throws, a crypto failure) is a rejection, never an acceptance.
      if (error instanceof IdentityError)
        return reject("internal_error", `the signature cannot be checked: ${error.message}`);
      return reject("internal_error", "the verifier failed while checking the request; refusing it");
    }
  };

  return {
    verify,
    get crypto() {
      return cryptoName;
    },
    ready: async () => {
      await importKeys();
      return cryptoName;
    },
    keyIds,
  };
}
