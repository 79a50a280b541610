import { readFileSync } from "node:fs";
import { CliUsageError, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { ADMIN_OPTIONS, adminSettings, connectAdmin } from "./admin.js";
import { JournalCliError } from "./errors.js";
import { KEY_OPTIONS, keyRingFromFlags } from "./keys.js";

export const CONSOLE_TOKEN_ENV = "RESTATE_JOURNAL_CONSOLE_TOKEN";
const DEFAULT_PORT = 9079;

function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new JournalCliError(
      "unreadable_file",
      `--access-token-file ${path}: cannot read it (${String(code ?? "error")})`,
    );
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token)) {
    throw invalidFlag("access-token-file", "must hold one token of at least 16 characters without spaces");
  }
  return token;
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export const consoleCommand = defineCommand({
  name: "console",
  summary: "Serve a local web console of invocations, journals and state, decrypted on this machine",
  details: [
    "Serves plain server-rendered pages on http://127.0.0.1:<port>: invocations (filter by service, handler,",
    "status, object key; newest first; paged), one invocation's journal as a timeline with every value",
    "decrypted or the reason it cannot be, one object's or workflow's state, and a key report (the numbers",
    "of `audit`). Values are decrypted in this process; the browser never receives a key. Pages are",
    "no-store, run no script, and load nothing from elsewhere.",
    "",
    "Any bind other than loopback needs --allow-remote and an access token (--access-token-file, or",
    `${CONSOLE_TOKEN_ENV}); the page asks for it and every request is checked. Plain HTTP: put a TLS`,
    "proxy in front of a console reachable from other machines.",
  ].join("\n"),
  options: {
    ...ADMIN_OPTIONS,
    ...KEY_OPTIONS,
    host: { type: "string", value: "<address>", description: "Address to listen on (default 127.0.0.1)" },
    port: {
      type: "string",
      value: "<port>",
      description: `Port to listen on (default ${DEFAULT_PORT}; 0 for any free port)`,
    },
    "allow-remote": {
      type: "boolean",
      description: "Allow a --host other than loopback (needs an access token)",
    },
    "access-token-file": {
      type: "string",
      value: "<path>",
      description: `A file holding the access token the page asks for (or ${CONSOLE_TOKEN_ENV})`,
    },
  },
  async run(context) {
    const { flags } = context;
    const host = flags.string("host") ?? "127.0.0.1";
    const port = parseFlag("port", () => {
      const text = flags.string("port") ?? String(DEFAULT_PORT);
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new RangeError("must be a port number (0–65535)");
      return Number(text);
    });
    const tokenFile = flags.string("access-token-file");
    const fromEnv = context.io.env[CONSOLE_TOKEN_ENV];
    const accessToken = tokenFile !== undefined ? readToken(tokenFile) : fromEnv ? fromEnv.trim() : undefined;
    if (accessToken !== undefined && tokenFile === undefined && accessToken.length < 16) {
      throw new CliUsageError("invalid_option", `${CONSOLE_TOKEN_ENV} must be at least 16 characters`);
    }
    const { isLoopbackHost } = await import("../console/access.js");
    if (!isLoopbackHost(host)) {
      if (!flags.boolean("allow-remote")) {
        throw invalidFlag(
          "host",
          `${host} is not loopback: decrypted data would be served to other machines; add --allow-remote and an access token`,
        );
      }
      if (accessToken === undefined) {
        throw new CliUsageError(
          "missing_option",
          `--host ${host} needs an access token: --access-token-file <path> or ${CONSOLE_TOKEN_ENV}`,
        );
      }
    }
    const keys = await keyRingFromFlags(context, { active: "none" });
    const admin = await connectAdmin(context);
    const { startConsole } = await import("../console/server.js");
    const server = await startConsole({
      admin,
      adminUrl: adminSettings(context).url,
      keys,
      host,
      port,
      allowRemote: flags.boolean("allow-remote"),
      ...(accessToken === undefined ? {} : { accessToken }),
      onError: (error) => context.warn(`page failed: ${error instanceof Error ? error.message : String(error)}`),
    }).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
        const why =
          code === "EADDRINUSE"
            ? "is already in use (another console?)"
            : code === "EACCES"
              ? "may not be used by this user"
              : "is not an address of this machine";
        throw new JournalCliError(
          "listen_failed",
          `--port ${port} --host ${host}: ${host}:${port} ${why}; choose another --port (0: any free port)`,
        );
      }
      throw error;
    });
    context.print(
      () => `restate-journal console: ${server.url}${accessToken ? " (access token required)" : ""} — Ctrl-C to stop`,
      { url: server.url, tokenRequired: accessToken !== undefined },
    );
    await untilStopped();
    await server.close();
    return 0;
  },
});
