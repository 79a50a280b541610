/**
 * The audience a request path must match, normalised exactly like Restate's SDKs do it
 * (sdk-shared-core): a path whose third-to-last segment is `invoke` is cut to `/invoke/<svc>/<handler>`,
 * a path whose last segment is `discover` is cut to `/discover`, anything else is used unchanged.
 * This lets a service live under a prefix (`/restate/invoke/S/h`) while Restate signs `/invoke/S/h`.
 *
 * @example
 * ```ts
 * normaliseAudiencePath("/foo/bar/invoke/Greeter/greet"); // "/invoke/Greeter/greet"
 * normaliseAudiencePath("/api/discover"); // "/discover"
 * normaliseAudiencePath("/health"); // "/health"
 * ```
 */
export function normaliseAudiencePath(path: string): string {
  const last = path.lastIndexOf("/");
  if (last < 0) return path;
  const secondLast = last > 0 ? path.lastIndexOf("/", last - 1) : -1;
  if (secondLast >= 0) {
    const thirdLast = secondLast > 0 ? path.lastIndexOf("/", secondLast - 1) : -1;
    if (thirdLast >= 0 && path.slice(thirdLast, secondLast) === "/invoke") return path.slice(thirdLast);
  }
  if (path.slice(last) === "/discover") return path.slice(last);
  return path;
}

/** The path of a request target: everything before `?` or `#`. */
export function pathOfTarget(target: string): string {
  let end = target.length;
  const query = target.indexOf("?");
  if (query >= 0) end = query;
  const hash = target.indexOf("#");
  if (hash >= 0 && hash < end) end = hash;
  return end === target.length ? target : target.slice(0, end);
}
