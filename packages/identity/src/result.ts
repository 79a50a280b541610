import type { IdentityClaims } from "./claims.js";
import type { RejectionCode } from "./errors.js";

/**
 * What was verified about a signed request: which configured key signed it and the token's claims.
 * `subject` is the token's `sub`: restate-server 1.7 sets it to the virtual object or workflow key
 * of the invocation (absent for plain services, discovery and health).
 */
export interface RequestIdentity {
  /** The configured `publickeyv1_…` key whose signature verified. */
  readonly keyId: string;
  readonly claims: IdentityClaims;
  /** `claims.sub`: the virtual object / workflow key for invocations of keyed handlers. */
  readonly subject: string | undefined;
}

/** An accepted request. `signed: false` only happens with `allowUnsigned: true`, and then carries no identity. */
export type Accepted =
  | ({ readonly ok: true; readonly signed: true } & RequestIdentity)
  | {
      readonly ok: true;
      readonly signed: false;
      readonly keyId: undefined;
      readonly claims: undefined;
      readonly subject: undefined;
    };

/** A rejected request: `code` for programs, `message` for humans (never contains key material). */
export interface Rejected {
  readonly ok: false;
  readonly code: RejectionCode;
  readonly message: string;
}

export type VerificationResult = Accepted | Rejected;

export function reject(code: RejectionCode, message: string): Rejected {
  return { ok: false, code, message };
}
