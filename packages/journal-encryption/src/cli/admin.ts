/**
 * Admin API connection options shared by the commands that read or change stored state.
 * `@restate-connect/admin-client` is an optional peer dependency, imported only here and only when
 * such a command runs, so nothing else in this package ever loads it.
 */
import { CliUsageError, type CommandContext, type OptionsSpec, parseFlag } from "@restate-connect/cli-kit";
import type { StateAdmin } from "../state/admin.js";
import { JournalCliError } from "./errors.js";

export const ADMIN_URL_ENV = "RESTATE_ADMIN_URL";
export const ADMIN_TOKEN_ENV = "RESTATE_AUTH_TOKEN";
export const DEFAULT_ADMIN_URL = "http://localhost:9070";

export const ADMIN_OPTIONS: OptionsSpec = {
  "admin-url": {
    type: "string",
    value: "<url>",
    description: `Restate admin API (default ${ADMIN_URL_ENV}, then ${DEFAULT_ADMIN_URL}); bearer token from ${ADMIN_TOKEN_ENV}`,
  },
};

/** Where the admin API is and the token for it; the token only ever comes from the environment. */
export function adminSettings(context: Pick<CommandContext, "flags" | "io">): { url: string; token?: string } {
  const fromFlag = context.flags.string("admin-url");
  const raw = fromFlag ?? context.io.env[ADMIN_URL_ENV] ?? DEFAULT_ADMIN_URL;
  const check = () => {
    const parsed = new URL(raw);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new RangeError("must be an http(s) URL");
    if (parsed.username || parsed.password) throw new RangeError(`must not carry credentials (use ${ADMIN_TOKEN_ENV})`);
    return parsed.toString().replace(/\/$/, "");
  };
  let url: string;
  if (fromFlag !== undefined) url = parseFlag("admin-url", check);
  else {
    try {
      url = check();
    } catch (error) {
      throw new CliUsageError("invalid_option", `${ADMIN_URL_ENV} is not valid: ${(error as Error).message}`);
    }
  }
  const token = context.io.env[ADMIN_TOKEN_ENV];
  return { url, ...(token ? { token } : {}) };
}

/** Admin client type, loaded lazily: the full client satisfies the narrow `StateAdmin` the tools need. */
export type AdminClientModule = typeof import("@restate-connect/admin-client");
export type AdminClient = ReturnType<AdminClientModule["createAdminClient"]>;

/** Imports `@restate-connect/admin-client` and connects; says how to install it when it is missing. */
export async function connectAdmin(context: CommandContext): Promise<AdminClient & StateAdmin> {
  const settings = adminSettings(context);
  let module: AdminClientModule;
  try {
    module = await import("@restate-connect/admin-client");
  } catch {
    throw new JournalCliError(
      "missing_dependency",
      `${context.command} needs @restate-connect/admin-client: npm install @restate-connect/admin-client`,
    );
  }
  return module.createAdminClient({
    baseUrl: settings.url,
    ...(settings.token ? { token: settings.token } : {}),
    headers: { "user-agent": `${context.cli}/${context.version}` },
    onRetry: (event) =>
      context.progress(`${context.cli}: admin API attempt ${event.attempt} failed (${event.error.message}); retrying`),
  });
}
