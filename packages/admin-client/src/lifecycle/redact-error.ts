/**
 * The same error with every value read from the environment replaced by `(redacted)` in its message
 * (and in the server's message of an `AdminApiError`). Restate's own errors quote the deployment URL
 * it failed to reach, so a token substituted into a URL's query would otherwise reach CI logs.
 */
export function redactError(error: unknown, hide: (text: string) => string): unknown {
  if (!(error instanceof Error)) return error;
  for (const key of ["message", "serverMessage"] as const) {
    const value: unknown = (error as unknown as Record<string, unknown>)[key];
    if (typeof value === "string" && hide(value) !== value) {
      Object.defineProperty(error, key, { value: hide(value), enumerable: key !== "message", configurable: true });
    }
  }
  if (typeof error.stack === "string") error.stack = hide(error.stack);
  return error;
}
