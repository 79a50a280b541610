/**
 * The audience a request path must match, normalised exactly like Restate's SDKs do it
 * (sdk-shared-core): a path whose third-to-last segment is `invoke` is cut to `/invoke/<svc>/<handler>`,
 * a path whose last segment is `discover` is cut to `/discover`, anything else is used unchanged.
 * This lets a service live under a prefix (`/restate/invoke/S/h`) while Restate signs `/invoke/S/h`.
 * For example `/foo/bar/invoke/Greeter/greet` → `/invoke/Greeter/greet`, `/api/discover` → `/discover`,
 * `/health` → `/health`.
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

const SERDES = /(?:^|\/)serdes\/[^/]+\/(?:encode|decode)\/.+?\/?$/;

/**
 * Whether the SDK treats a request to `path` as its health check, which it answers without checking
 * identity. Decided exactly as the SDK decides it: on the URL-normalised path (`/x/../health` is
 * `/health`, `/invoke/S/x/../health` is an invocation of handler `health`), where serdes previews,
 * invocations (`…/invoke/<svc>/<handler>`) and discovery take precedence over a last segment `health`.
 */
export function isHealthPath(path: string): boolean {
  let pathname: string;
  try {
    pathname = new URL(path, "https://example.com").pathname;
  } catch {
    return false;
  }
  if (SERDES.test(pathname)) return false;
  const fragments = pathname.split("/");
  if (fragments.length >= 3 && fragments[fragments.length - 3] === "invoke") return false;
  return fragments[fragments.length - 1] === "health";
}
