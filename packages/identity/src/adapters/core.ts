// The adapter core: what every framework adapter shares. An adapter only translates its request into
// (headers, path), calls `admit`, and turns the outcome into its runtime's response or its way of
// handing the verified identity to the handler.
import type { HeaderInput } from "../headers.js";
import { audienceOf, isHealthPath, pathOfTarget, resolveDotSegments } from "../path.js";
import type { Rejected, RequestIdentity } from "../result.js";
import { createVerifier, type Verifier, type VerifierOptions } from "../verify.js";

/**
 * What an `authorize` hook answers: `true` lets the request through, `false` refuses it with
 * `403 {"code":"forbidden"}`, `{ code }` refuses it with that code (snake_case, e.g. `"object_key_not_allowed"`).
 */
export type Authorization = boolean | { readonly code: string; readonly message?: string };

/** Why an adapter turned a request away: 401 when its identity did not verify, 403 when `authorize` refused it. */
export type AdapterRejection =
  | (Rejected & { readonly status: 401 })
  | { readonly ok: false; readonly status: 403; readonly code: string; readonly message: string };

/**
 * Options shared by every adapter: either verifier options (a verifier is created once) or an
 * existing `verifier`, plus hooks for authorisation and observation.
 */
export type IdentityAdapterOptions<Req> = (VerifierOptions | { verifier: Verifier }) & {
  /**
   * Decides, after the signature, time and audience verified, whether this request may proceed, e.g.
   * only some handlers or only some virtual object keys (`identity.subject`). `identity` is
   * `undefined` only for unsigned requests accepted with `allowUnsigned: true`. A hook that throws or
   * rejects refuses the request (403 `forbidden`). Not called for the health path (see `allowHealth`).
   */
  authorize?: (identity: RequestIdentity | undefined, request: Req) => Authorization | Promise<Authorization>;
  /**
   * Let requests whose path ends in `/health` through without identity headers, as the SDK does (its
   * health endpoint answers `OK` unverified). Default `false`: every path must be signed.
   */
  allowHealth?: boolean;
  /**
   * Called for every turned-away request with the full reason (the client only gets `{ code }`).
   * Errors thrown here are swallowed so a logging bug cannot turn into an accepted request or a crash.
   */
  onReject?: (rejection: AdapterRejection, request: Req) => void;
};

/** The outcome of {@link admit}: the verified identity (absent for health and unsigned requests), or why not. */
export type Admission = { readonly ok: true; readonly identity: RequestIdentity | undefined } | AdapterRejection;

/** The body of every 401/403: just the code, nothing that helps an attacker tune a forgery. */
export function rejectionBody(rejection: AdapterRejection): string {
  return JSON.stringify({ code: rejection.code });
}

export const REJECTION_HEADERS = { "content-type": "application/json" } as const;

export function verifierFrom<Req>(options: IdentityAdapterOptions<Req>): Verifier {
  return "verifier" in options ? options.verifier : createVerifier(options);
}

const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const ADMITTED_UNSIGNED: Admission = Object.freeze({ ok: true, identity: undefined });

function refused(code: string, message: string): AdapterRejection {
  return { ok: false, status: 403, code, message };
}

async function authorise<Req>(
  options: IdentityAdapterOptions<Req>,
  identity: RequestIdentity | undefined,
  request: Req,
): Promise<Admission> {
  const hook = options.authorize;
  if (!hook) return identity === undefined ? ADMITTED_UNSIGNED : { ok: true, identity };
  let answer: unknown;
  try {
    answer = await hook(identity, request);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    return refused("forbidden", `the authorize hook threw (${name}); refusing the request`);
  }
  if (answer === true) return { ok: true, identity };
  if (answer !== null && typeof answer === "object" && typeof (answer as { code?: unknown }).code === "string") {
    const { code, message } = answer as { code: string; message?: unknown };
    if (CODE.test(code))
      return refused(code, typeof message === "string" ? message : `the authorize hook refused the request (${code})`);
  }
  // `false`, and anything that is not a clear yes: refused.
  return refused("forbidden", "the authorize hook refused the request");
}

/**
 * Verifies a request, then asks `authorize`; calls `onReject` for a refusal. Never throws: any
 * failure inside is a refusal.
 */
export async function admit<Req>(
  verifier: Verifier,
  options: IdentityAdapterOptions<Req>,
  headers: HeaderInput,
  path: string,
  request: Req,
): Promise<Admission> {
  let admission: Admission;
  try {
    // Only a path every router reads the same way can be the health path; the others go on to be refused.
    if (
      options.allowHealth === true &&
      audienceOf(path) !== undefined &&
      resolveDotSegments(path) === path &&
      isHealthPath(path)
    )
      return ADMITTED_UNSIGNED;
    const result = await verifier.verify(headers, path);
    if (!result.ok) admission = { ...result, status: 401 };
    else
      admission = await authorise(
        options,
        // Frozen: the hook and the handler see the same identity, and neither can rewrite it for the other.
        result.signed
          ? Object.freeze({ keyId: result.keyId, claims: result.claims, subject: result.subject })
          : undefined,
        request,
      );
  } catch {
    admission = { ok: false, status: 401, code: "internal_error", message: "the request could not be verified" };
  }
  if (!admission.ok && options.onReject) {
    try {
      options.onReject(admission, request);
    } catch {
      // The hook is for observation only.
    }
  }
  return admission;
}

const identities = new WeakMap<object, RequestIdentity>();

/** Remembers the identity verified for a request object (a `Request`, a Lambda event, a Node request). */
export function remember(request: object, identity: RequestIdentity | undefined): void {
  if (identity !== undefined) identities.set(request, identity);
}

/**
 * The identity verified for this request object by this package's adapter, or `undefined` (not
 * verified, unsigned, or the health path).
 */
export function identityOf(request: object): RequestIdentity | undefined {
  return identities.get(request);
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\]*/;

/**
 * The path of a request target in origin form (`/a/b?c`) or absolute form (`http://h/a/b?c`), as sent:
 * not resolved, so that the verifier can refuse a path routers would read differently (`/a/../b`).
 */
export function pathOf(target: string): string {
  const authority = ABSOLUTE_FORM.exec(target);
  return pathOfTarget(authority === null ? target : target.slice(authority[0].length));
}
