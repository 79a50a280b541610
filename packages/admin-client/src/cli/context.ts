import { type CommandContext, type OptionsSpec, parseFlag, secretFrom } from "@restate-connect/cli-kit";
import { type AdminClient, type AdminClientOptions, createAdminClient } from "../client.js";
import { parseBaseUrl } from "../transport.js";
import { parseDuration } from "./duration.js";

/** Flags every `restate-admin` command takes (besides the kit's `--json`, `--help`, `--version`). */
export const GLOBAL_OPTIONS = {
  url: {
    type: "string",
    value: "<url>",
    description: "Admin API URL (env RESTATE_ADMIN_URL, default http://localhost:9070)",
  },
  token: {
    type: "string",
    value: "<token>",
    description: "Bearer token; prefer env RESTATE_AUTH_TOKEN (argv shows up in process lists)",
  },
  timeout: { type: "string", value: "<duration>", description: "Per-request timeout, e.g. 30s (default 30s)" },
} as const satisfies OptionsSpec;

export const DEFAULT_ADMIN_URL = "http://localhost:9070";

/** The admin API URL from `--url`, else `RESTATE_ADMIN_URL`, else the local default. */
export function adminUrlOf(context: CommandContext): string {
  return context.flags.string("url") ?? (context.io.env.RESTATE_ADMIN_URL || DEFAULT_ADMIN_URL);
}

/**
 * The admin client a command talks to, configured from the global flags and the environment: URL,
 * token (`RESTATE_AUTH_TOKEN`, or `--token` with a warning), timeout, a `restate-admin/<version>`
 * user agent, and a progress line on stderr before each retry.
 *
 * @example
 * run: async (context) => {
 *   const admin = adminClientFor(context);
 *   context.print(() => "…", await admin.deployments.list());
 * }
 */
export function adminClientFor(context: CommandContext, overrides: Partial<AdminClientOptions> = {}): AdminClient {
  const timeout = context.flags.string("timeout");
  const timeoutMs =
    timeout === undefined
      ? 30_000
      : parseFlag("timeout", () => {
          const ms = parseDuration(timeout);
          if (ms === undefined) throw new RangeError(`"${timeout}" is not a duration (e.g. 30s)`);
          return ms;
        });
  const baseUrl = adminUrlOf(context);
  const token = secretFrom(context, "token", "RESTATE_AUTH_TOKEN");
  parseFlag("url", () => parseBaseUrl(baseUrl));
  return createAdminClient({
    baseUrl,
    token,
    timeoutMs,
    headers: { "user-agent": `${context.cli}/${context.version}` },
    onRetry: (event) =>
      context.progress(`… attempt ${event.attempt} failed: ${event.error.message}; retrying in ${event.delayMs} ms`),
    ...overrides,
  });
}
