import type { StepOutcome } from "./run.ts";

/** What a user should conclude from a failed step, when the failure has a known cause. */
export interface Diagnosis {
  cause: string;
  fix: string;
}

/**
 * Reads a failed step, the server's and the service's logs for a known cause, so that a failure
 * says what went wrong instead of leaving the user with log lines.
 */
export function diagnose(
  failed: StepOutcome | undefined,
  logs: { server?: string; service?: string },
): Diagnosis | undefined {
  if (!failed) return undefined;
  const error = failed.error ?? "";
  const serviceLog = logs.service ?? "";
  if (failed.step === 3 && /\b401\b/.test(error) && /bad_signature/.test(serviceLog)) {
    return {
      cause:
        "the service refused Restate's signed discovery request (401 bad_signature): it does not trust the key restate-server signs with.",
      fix: "give the service the server's public key: RESTATE_IDENTITY_KEYS must contain the output of `restate-identity pubkey <the server's request-identity-private-key-pem-file>`.",
    };
  }
  if (failed.step === 3 && /\b401\b/.test(error)) {
    return {
      cause: "the service answered Restate's discovery request with 401: its identity check refused the request.",
      fix: "check that the service's RESTATE_IDENTITY_KEYS match the key restate-server signs with.",
    };
  }
  if (failed.step === 3 && /ECONNREFUSED|connect|unreachable/i.test(error)) {
    return {
      cause: "restate-server could not reach the service.",
      fix: "check that the service is listening on the address that was registered.",
    };
  }
  return undefined;
}
