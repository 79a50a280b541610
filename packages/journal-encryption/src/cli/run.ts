import { type CliIo, type CliSpec, type CommandSpec, type ErrorReport, runCli } from "@restate-connect/cli-kit";
import { JournalEncryptionError } from "../errors.js";
import { auditCommand } from "./audit.js";
import { consoleCommand } from "./console.js";
import { decodeCommand } from "./decode.js";
import { generateKeyCommand } from "./generate-key.js";
import { inspectCommand } from "./inspect.js";
import { migrateCommand } from "./migrate.js";
import { rewrapCommand } from "./rewrap.js";
import { showCommand } from "./show.js";

declare const __CLI_VERSION__: string | undefined;
const version = typeof __CLI_VERSION__ === "string" ? __CLI_VERSION__ : "0.0.0-dev";

/** Every `restate-journal` command; each lives in its own file and is listed here once. */
export const commands: CommandSpec[] = [
  inspectCommand,
  decodeCommand,
  generateKeyCommand,
  auditCommand,
  migrateCommand,
  rewrapCommand,
  showCommand,
  consoleCommand,
];

/**
 * KMS failures carry the AWS SDK's own words (region missing, no credentials, endpoint unreachable,
 * key disabled, invalid ciphertext for the encryption context) as their cause; say them.
 */
function describeError(error: unknown): ErrorReport | undefined {
  const code = (error as { code?: unknown })?.code;
  if (error instanceof Error && typeof code === "string" && /^ERR_[A-Z_]+$/.test(code)) {
    // Admin client errors of releases that still use ERR_ codes: the same code in our spelling.
    const retryable = (error as { retryable?: unknown }).retryable;
    return {
      code: code.slice(4).toLowerCase(),
      message: error.message,
      ...(typeof retryable === "boolean" ? { retryable } : {}),
    };
  }
  if (!(error instanceof JournalEncryptionError)) return undefined;
  const cause = error.cause as { message?: unknown; name?: unknown } | undefined;
  const said = typeof cause?.message === "string" ? cause.message.trim().split("\n")[0] : "";
  const message = said && !error.message.includes(said) ? `${error.message}: ${said}` : error.message;
  return { code: error.code, message, retryable: error.retryable };
}

export const spec: CliSpec = {
  name: "restate-journal",
  version,
  summary: "inspect, decode and manage encrypted Restate journal and state values",
  commands,
  footer: [
    "Keys: --local-key-file <path> or RESTATE_JOURNAL_LOCAL_KEYS=<id>=<base64>,… (or --local-key <id>=<base64>, warned",
    "about), or --kms with --allow-key <arn>. Admin API: --admin-url or RESTATE_ADMIN_URL; token from RESTATE_AUTH_TOKEN.",
  ].join("\n"),
  describeError,
};

/** Runs one command line in process and returns the exit code (0 ok, 1 refused or failed, 2 usage). */
export function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runCli(spec, argv, io);
}
