import type { HeaderInput } from "../headers.js";
import { pathOfTarget } from "../path.js";
import {
  createVerifier,
  type Rejected,
  type VerificationResult,
  type Verifier,
  type VerifierOptions,
} from "../verify.js";

/**
 * Options shared by every adapter: either verifier options (a verifier is created once) or an
 * existing `verifier`, plus an `onReject` hook that receives the full reason for logs and metrics.
 */
export type IdentityAdapterOptions<Req> = (VerifierOptions | { verifier: Verifier }) & {
  /**
   * Called for every rejected request with the full reason (the client only gets `{ code }`).
   * Errors thrown here are swallowed so a logging bug cannot turn into an accepted request or a crash.
   */
  onReject?: (rejection: Rejected, request: Req) => void;
};

/** The body of every 401: just the code, nothing that helps an attacker tune a forgery. */
export function rejectionBody(rejection: Rejected): string {
  return JSON.stringify({ code: rejection.code });
}

export const REJECTION_HEADERS = { "content-type": "application/json" } as const;

export function verifierFrom<Req>(options: IdentityAdapterOptions<Req>): Verifier {
  return "verifier" in options ? options.verifier : createVerifier(options);
}

/** Runs the verifier and the hook; never throws. */
export async function check<Req>(
  verifier: Verifier,
  options: IdentityAdapterOptions<Req>,
  headers: HeaderInput,
  path: string,
  request: Req,
): Promise<VerificationResult> {
  let result: VerificationResult;
  try {
    result = await verifier.verify(headers, path);
  } catch {
    result = { ok: false, code: "malformed_token", message: "the identity headers could not be processed" };
  }
  if (!result.ok && options.onReject) {
    try {
      options.onReject(result, request);
    } catch {
      // The hook is for observation only.
    }
  }
  return result;
}

/** The path of a request target in origin form (`/a/b?c`) or absolute form (`http://h/a/b?c`). */
export function pathOf(target: string): string {
  if (target.startsWith("/") || target === "") return pathOfTarget(target);
  try {
    return new URL(target).pathname;
  } catch {
    return pathOfTarget(target);
  }
}
