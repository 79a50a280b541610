import {
  CliUsageError,
  type CommandContext,
  invalidFlag,
  type OptionsSpec,
  parseFlag,
  secretFrom,
} from "@restate-connect/cli-kit";
import { type AdminClient, type AdminClientOptions, createAdminClient } from "../client.js";
import { parseBaseUrl } from "../transport.js";
import { parseDuration } from "./duration.js";

/** Flags every `restate-admin` command takes (besides the kit's `--json`, `--help`, `--version`). */
export const GLOBAL_OPTIONS = {
  url: {
    type: "string",
    multiple: true,
    value: "<url>",
    description:
      "Admin API URL; for a cluster, one per node, repeated or comma-separated, tried in order (env RESTATE_ADMIN_URL, default http://localhost:9070)",
  },
  token: {
    type: "string",
    value: "<token>",
    description: "Bearer token; prefer env RESTATE_AUTH_TOKEN (argv shows up in process lists)",
  },
  timeout: { type: "string", value: "<duration>", description: "Per-request timeout, e.g. 30s (default 30s)" },
} as const satisfies OptionsSpec;

export const DEFAULT_ADMIN_URL = "http://localhost:9070";

/**
 * The admin API URLs from `--url` (repeated and/or comma-separated), else `RESTATE_ADMIN_URL` (comma-
 * separated), else the local default. Each is checked, naming `--url` or the variable.
 */
export function adminUrlsOf(context: CommandContext): string[] {
  const fromFlags = context.flags.strings("url");
  const source = fromFlags.length > 0 ? "--url" : "RESTATE_ADMIN_URL";
  const raw = fromFlags.length > 0 ? fromFlags : [context.io.env.RESTATE_ADMIN_URL || DEFAULT_ADMIN_URL];
  const urls = raw.flatMap((value) => value.split(",")).map((url) => url.trim());
  for (const url of urls) {
    try {
      parseBaseUrl(url);
    } catch (error) {
      const problem = error instanceof Error ? error.message.replace(/^invalid baseUrl: /, "") : String(error);
      const shown = urlForDisplay(url);
      if (source === "--url") throw invalidFlag("url", `${shown} is not valid: ${problem}`);
      throw new CliUsageError("invalid_option", `RESTATE_ADMIN_URL ${shown} is not valid: ${problem}`);
    }
  }
  if (new Set(urls.map((url) => new URL(url).href.replace(/\/+$/, ""))).size !== urls.length) {
    throw source === "--url"
      ? invalidFlag("url", "lists the same URL twice")
      : new CliUsageError("invalid_option", "RESTATE_ADMIN_URL lists the same URL twice");
  }
  return urls;
}

/**
 * A refused URL as an error shows it: scheme, host and path only. Credentials (`http://user:pass@…`),
 * a query (`?token=…`) or a fragment are what was wrong with it and must not reach a terminal or CI log;
 * text that is not a URL at all may be a token passed to the wrong flag and is described, not shown.
 */
function urlForDisplay(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const wordLike = /^[A-Za-z][\w.:-]{0,39}$/.test(text) && !/[A-Za-z0-9]{20}/.test(text);
    return wordLike ? JSON.stringify(text) : `(${text.length} characters, not shown)`;
  }
  const hidden =
    url.username || url.password || /[?#]/.test(url.href) ? " (credentials, query and fragment not shown)" : "";
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  return `${JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}…` : shown)}${hidden}`;
}

/** The admin API URLs as one line for progress and human output. */
export function adminUrlOf(context: CommandContext): string {
  return adminUrlsOf(context).join(", ");
}

/**
 * The admin client a command talks to, configured from the global flags and the environment: URLs,
 * token (`RESTATE_AUTH_TOKEN`, or `--token` with a warning), timeout, a `restate-admin/<version>`
 * user agent, and a progress line on stderr before each retry.
 *
 * @example
 * run: async (context) => {
 *   const admin = adminClientFor(context);
 *   context.print(() => "…", await admin.deployments.list());
 * }
 */
export function adminClientFor(
  context: CommandContext,
  overrides: Partial<AdminClientOptions> = {},
  /** Applied to each progress line, e.g. to hide values a configuration file read from the environment. */
  redact: (text: string) => string = (text) => text,
): AdminClient {
  const timeout = context.flags.string("timeout");
  const timeoutMs =
    timeout === undefined
      ? 30_000
      : parseFlag("timeout", () => {
          const ms = parseDuration(timeout);
          if (ms === undefined) throw new RangeError(`"${timeout}" is not a duration of at most 24 days (e.g. 30s)`);
          return ms;
        });
  const urls = adminUrlsOf(context);
  const token = secretFrom(context, "token", "RESTATE_AUTH_TOKEN");
  if (token !== undefined && !/^[\u0020-\u007e\u0080-\u00ff]+$/.test(token)) {
    // Named by where it came from; a trailing newline from a secret file is the usual cause.
    const problem = "must be printable characters without line breaks (a trailing newline?)";
    if (context.flags.string("token") !== undefined) throw invalidFlag("token", problem);
    throw new CliUsageError("invalid_option", `RESTATE_AUTH_TOKEN ${problem}`);
  }
  const plain = urls.map((url) => new URL(url)).filter((url) => url.protocol === "http:" && !isLoopback(url.hostname));
  if (token !== undefined && plain.length > 0) {
    context.warn(
      `the token goes to ${plain.map((url) => url.host).join(", ")} over plain http: anyone on the network path can read and reuse it; use https`,
    );
  }
  return createAdminClient({
    baseUrl: urls.length === 1 ? (urls[0] as string) : urls,
    token,
    timeoutMs,
    headers: { "user-agent": `${context.cli}/${context.version}` },
    onRetry: (event) =>
      context.progress(
        redact(
          event.nextBaseUrl === event.baseUrl
            ? `… attempt ${event.attempt} failed: ${event.error.message}; retrying in ${event.delayMs} ms`
            : `… attempt ${event.attempt} failed at ${event.baseUrl}: ${event.error.message}; trying ${event.nextBaseUrl}${event.delayMs > 0 ? ` in ${event.delayMs} ms` : ""}`,
        ),
      ),
    ...overrides,
  });
}

/** Whether plain http to this host stays on this machine. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || /^127\./.test(hostname) || hostname === "[::1]";
}
