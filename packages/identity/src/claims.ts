import { type Rejected, reject } from "./result.js";

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
  /** Subject: restate-server 1.7 sets it to the virtual object / workflow key of an invocation. */
  readonly sub?: string;
}

const TIME_CLAIMS = ["exp", "iat", "nbf"] as const;

/** Checks presence and types of the claims (not their time or audience, which change per request). */
export function readClaims(payload: Record<string, unknown>): { ok: true; claims: IdentityClaims } | Rejected {
  for (const name of ["aud", ...TIME_CLAIMS] as const)
    if (!(name in payload) || payload[name] === undefined)
      return reject("missing_claim", `the token has no "${name}" claim`);
  const { aud, exp, iat, nbf, sub } = payload;
  if (typeof aud !== "string") return reject("invalid_claim", "the aud claim must be a single string");
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      return reject(
        "invalid_claim",
        `the ${name} claim must be a whole number of seconds, got ${typeof value === "number" ? value : typeof value}`,
      );
  }
  if (sub !== undefined && typeof sub !== "string") return reject("invalid_claim", "the sub claim must be a string");
  const claims: IdentityClaims =
    sub === undefined
      ? { aud, exp: exp as number, iat: iat as number, nbf: nbf as number }
      : { aud, exp: exp as number, iat: iat as number, nbf: nbf as number, sub };
  return { ok: true, claims: Object.freeze(claims) };
}
