import { encodeBase64Url, encodeUtf8 } from "./base64url.js";
import { CRYPTO_OPTIONS, type CryptoName, type CryptoOption, loadBackend, type SignFunction } from "./crypto.js";
import { IdentityError } from "./errors.js";
import { JWT_HEADER, SCHEME_HEADER } from "./headers.js";
import { hasLoneSurrogate } from "./json.js";
import { formatPublicKey, parsePrivateKeyPem } from "./keys.js";

export interface SignerOptions {
  /** PKCS#8 PEM of the Ed25519 private key (the same file restate-server is configured with). Secret. */
  privateKeyPem: string;
  /** Token lifetime on both sides of `iat`: `nbf = iat - e`, `exp = iat + e`. Default 60 (restate-server's value). */
  expirationSeconds?: number;
  /** Ed25519 implementation. Default `"auto"`. */
  crypto?: CryptoOption;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

export interface SignOptions {
  /** Optional `sub` claim. */
  subject?: string;
  /** Override `iat` (seconds since the epoch), e.g. to make expired tokens in tests. */
  issuedAt?: number;
}

/** The two headers restate-server adds to a request. */
// A type alias (not an interface) so it is assignable to header records such as `HeadersInit`.
export type SignedHeaders = {
  readonly "x-restate-signature-scheme": "v1";
  readonly "x-restate-jwt-v1": string;
};

export interface Signer {
  /** `publickeyv1_…` of the signing key; configure verifiers with it. */
  readonly publicKey: string;
  /** Signs a request to `path` (the audience, e.g. `/invoke/Greeter/greet` or `/discover`). */
  sign(path: string, options?: SignOptions): Promise<SignedHeaders>;
  /**
   * The Ed25519 implementation in use: `"node"`, `"webcrypto"` or `"noble"`. The signer loads it on
   * the first {@link Signer.sign} or {@link Signer.ready}; until then this is `undefined` (never a guess).
   */
  readonly crypto: CryptoName | undefined;
  /**
   * Loads the Ed25519 implementation (if no signature was made yet) and resolves to its name; rejects
   * with `crypto_unavailable` if a forced one is missing in this runtime.
   */
  ready(): Promise<CryptoName>;
}

/**
 * Signs requests exactly like restate-server does (same JWT header `{typ, alg, kid}`, same claim order
 * `aud, exp, iat, nbf[, sub]`), to test services locally or to forward requests from a proxy.
 *
 * @example
 * ```ts
 * import { createSigner, generateKeyPair } from "@restate-connect/identity";
 *
 * const { privateKeyPem } = generateKeyPair();
 * const signer = createSigner({ privateKeyPem });
 * const headers = await signer.sign("/invoke/Greeter/greet");
 * await fetch("http://localhost:9080/invoke/Greeter/greet", { method: "POST", headers, body: "{}" });
 * ```
 */
export function createSigner(options: SignerOptions): Signer {
  if (options === null || typeof options !== "object")
    throw new IdentityError("invalid_option", "createSigner needs an options object with privateKeyPem");
  const expiration = options.expirationSeconds ?? 60;
  if (!Number.isSafeInteger(expiration) || expiration < 1)
    throw new IdentityError("invalid_option", "expirationSeconds must be a whole number ≥ 1");
  if (options.crypto !== undefined && !CRYPTO_OPTIONS.includes(options.crypto))
    throw new IdentityError("invalid_option", 'crypto must be "auto", "node", "webcrypto" or "noble"');
  if (options.now !== undefined && typeof options.now !== "function")
    throw new IdentityError("invalid_option", "now must be a function returning epoch milliseconds");
  const key = parsePrivateKeyPem(options.privateKeyPem);
  const publicKey = formatPublicKey(key.publicKey);
  const now = options.now ?? Date.now;
  const encodedHeader = encodeBase64Url(encodeUtf8(JSON.stringify({ typ: "JWT", alg: "EdDSA", kid: publicKey })));
  let signing: Promise<{ name: CryptoName; sign: SignFunction }> | undefined;
  let cryptoName: CryptoName | undefined;
  const signer = () => {
    signing ??= loadBackend(options.crypto ?? "auto").then(async (backend) => {
      const sign = await backend.importPrivateKey(key.pkcs8, key.seed);
      cryptoName = backend.name;
      return { name: backend.name, sign };
    });
    return signing;
  };

  return {
    publicKey,
    async sign(path, signOptions = {}) {
      if (typeof path !== "string") throw new IdentityError("invalid_option", "path must be a string");
      if (signOptions.subject !== undefined && typeof signOptions.subject !== "string")
        throw new IdentityError("invalid_option", "subject must be a string");
      // Verifiers (ours and Restate's) refuse tokens with lone surrogates: do not make one.
      if (hasLoneSurrogate(path) || hasLoneSurrogate(signOptions.subject))
        throw new IdentityError("invalid_option", "path and subject must be well-formed Unicode (no lone surrogates)");
      const iat = signOptions.issuedAt ?? secondsFrom(now());
      if (!Number.isSafeInteger(iat) || iat < 0)
        throw new IdentityError("invalid_option", "issuedAt must be whole seconds ≥ 0");
      const claims: Record<string, string | number> = {
        aud: path,
        exp: iat + expiration,
        iat,
        nbf: Math.max(0, iat - expiration),
      };
      if (signOptions.subject !== undefined) claims.sub = signOptions.subject;
      const input = `${encodedHeader}.${encodeBase64Url(encodeUtf8(JSON.stringify(claims)))}`;
      const signature = await (await signer()).sign(encodeUtf8(input));
      return { [SCHEME_HEADER]: "v1", [JWT_HEADER]: `${input}.${encodeBase64Url(signature)}` } as SignedHeaders;
    },
    get crypto() {
      return cryptoName;
    },
    ready: async () => (await signer()).name,
  };
}

function secondsFrom(millis: unknown): number {
  if (typeof millis !== "number" || !Number.isFinite(millis) || millis < 0)
    throw new IdentityError("invalid_option", "now() must return epoch milliseconds (a finite number ≥ 0)");
  return Math.floor(millis / 1000);
}
