import type { Failure } from "./token.js";

/** The claims Restate puts in every request identity token. */
export interface IdentityClaims {
  /** The normalised request path, e.g. `/invoke/Greeter/greet` or `/discover`. */
  readonly aud: string;
  /** Expiry, seconds since the epoch (`iat + expiration`). */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Not before, seconds since the epoch (`iat - expiration`). */
  readonly nbf: number;
  /** Optional subject set by the server. */
  readonly sub?: string;
}

const TIME_CLAIMS = ["exp", "iat", "nbf"] as const;

/** Checks presence and types of the claims (not their time or audience, which change per request). */
export function readClaims(payload: Record<string, unknown>): { ok: true; claims: IdentityClaims } | Failure {
  for (const name of ["aud", ...TIME_CLAIMS] as const)
    if (!(name in payload) || payload[name] === undefined)
      return { ok: false, code: "missing_claim", message: `the token has no "${name}" claim` };
  const { aud, exp, iat, nbf, sub } = payload;
  if (typeof aud !== "string")
    return { ok: false, code: "invalid_claim", message: "the aud claim must be a single string" };
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      return {
        ok: false,
        code: "invalid_claim",
        message: `the ${name} claim must be a whole number of seconds, got ${typeof value === "number" ? value : typeof value}`,
      };
  }
  if (sub !== undefined && typeof sub !== "string")
    return { ok: false, code: "invalid_claim", message: "the sub claim must be a string" };
  const claims: IdentityClaims =
    sub === undefined
      ? { aud, exp: exp as number, iat: iat as number, nbf: nbf as number }
      : { aud, exp: exp as number, iat: iat as number, nbf: nbf as number, sub };
  return { ok: true, claims: Object.freeze(claims) };
}
