/**
 * Who may use the console. On loopback without a token: anyone on this machine (as with any local
 * tool), but only through a loopback Host name, which defeats DNS rebinding. With a token (required
 * for any other bind): the page asks for it once, then a per-process session cookie
 * (HttpOnly, SameSite=Strict) or an `Authorization: Bearer` header is checked on every request,
 * comparing SHA-256 digests in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "restate_console_session";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

function sameSecret(candidate: string | undefined, expected: Buffer): boolean {
  if (candidate === undefined || candidate.length > 4096) return false;
  return timingSafeEqual(digest(candidate), expected);
}

export interface Access {
  readonly tokenRequired: boolean;
  /** Checks a token typed into the access page. */
  checkToken(candidate: string | undefined): boolean;
  /** Whether this request may see pages. */
  isAuthorized(request: IncomingMessage): boolean;
  /** Whether the request carries a token or session at all (a wrong one is a guess). */
  carriesToken(request: IncomingMessage): boolean;
  /** The `Set-Cookie` value that opens a session after a correct token. */
  sessionCookie(): string;
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export function createAccess(token: string | undefined): Access {
  if (token === undefined) {
    return {
      tokenRequired: false,
      checkToken: () => true,
      isAuthorized: () => true,
      carriesToken: () => false,
      sessionCookie: () => "",
    };
  }
  const expectedToken = digest(token);
  const session = randomBytes(32).toString("base64url");
  const expectedSession = digest(session);
  return {
    tokenRequired: true,
    checkToken: (candidate) => sameSecret(candidate, expectedToken),
    isAuthorized(request) {
      const authorization = request.headers.authorization;
      const bearer =
        typeof authorization === "string" && authorization.startsWith("Bearer ") ? authorization.slice(7) : undefined;
      // Both checks always run, so timing says nothing about which one failed.
      const bySession = sameSecret(cookieOf(request, SESSION_COOKIE), expectedSession);
      const byBearer = sameSecret(bearer, expectedToken);
      return bySession || byBearer;
    },
    carriesToken: (request) =>
      request.headers.authorization !== undefined || cookieOf(request, SESSION_COOKIE) !== undefined,
    sessionCookie: () => `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
  };
}

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

/** The Host headers a loopback console answers to; anything else is a rebinding attempt. */
export function loopbackHostHeaders(host: string, port: number): Set<string> {
  const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  names.add(host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);
  return names;
}
