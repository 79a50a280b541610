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

/** `"` `#` `<` `>` `?` `\` `` ` `` `{` `}`: encoded, cut or turned into `/` by the URL parser. */
const PERCENT_ENCODED_OR_SPECIAL = new Set([0x22, 0x23, 0x3c, 0x3e, 0x3f, 0x5c, 0x60, 0x7b, 0x7d]);

/** Printable ASCII without the characters the URL parser would change: `/` first, not `//` (a host). */
function hasPlainCharacters(path: string): boolean {
  if (path.charCodeAt(0) !== 0x2f || path.charCodeAt(1) === 0x2f) return false;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || PERCENT_ENCODED_OR_SPECIAL.has(c)) return false;
  }
  return true;
}

/** `path` with its dot segments (`.`, `..`, `%2e`, `.%2E`, …) resolved the way the WHATWG URL parser does. */
export function resolveDotSegments(path: string): string {
  const segments = path.split("/");
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const lower = segment.length <= 6 ? segment.toLowerCase() : segment;
    const last = i === segments.length - 1;
    if (lower === ".." || lower === ".%2e" || lower === "%2e." || lower === "%2e%2e") {
      out.pop();
      if (last) out.push("");
    } else if (lower === "." || lower === "%2e") {
      if (last) out.push("");
    } else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/**
 * The audience of a request path, or `undefined` when routers could read the path differently. The
 * SDK routes `new URL(url, base).pathname` (dot segments resolved, `\` read as `/`, `//x` read as a
 * host); raw-path routers (Express) do not resolve anything. So the path must start with one `/`, hold
 * only characters the URL parser leaves alone, and give the same audience whether or not its dot
 * segments are resolved: `/prefix/./invoke/S/h` is `/invoke/S/h` both ways, but
 * `/invoke/Svc/greet/../discover` is `/discover` raw and an invocation of `Svc/discover` for the SDK.
 * Pure (no `URL`), so it runs wherever the verifier runs.
 */
export function audienceOf(path: string): string | undefined {
  if (!hasPlainCharacters(path)) return undefined;
  const audience = normaliseAudiencePath(path);
  return normaliseAudiencePath(resolveDotSegments(path)) === audience ? audience : undefined;
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
