import { type CliIo, type CliSpec, type ErrorReport, EXIT, runCli } from "@restate-connect/cli-kit";
import { AdminApiError, AdminClientError, DiscoveryError } from "../errors.js";
import { ApplyIncompleteError, PruneIncompleteError } from "../lifecycle/errors.js";
import { commands } from "./commands/index.js";
import { GLOBAL_OPTIONS } from "./context.js";

declare const __CLI_VERSION__: string | undefined;
const version = typeof __CLI_VERSION__ === "string" ? __CLI_VERSION__ : "0.0.0-dev";

/** The `restate-admin` command line: commands, global flags, and how library errors are reported. */
export const spec: CliSpec = {
  name: "restate-admin",
  version,
  summary: "register deployments and inspect a Restate server through its admin API",
  commands,
  globalOptions: GLOBAL_OPTIONS,
  footer: [
    "Environment:",
    "  RESTATE_ADMIN_URL   admin API URL, or every node's, comma-separated (default http://localhost:9070)",
    "  RESTATE_AUTH_TOKEN  bearer token (a Restate Cloud API key, or what your proxy expects)",
    "  GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_SHA  recorded as deployment metadata by register",
  ].join("\n"),
  describeError,
};

/** Runs one command line in process and returns its exit code (0 success, 1 failed, 2 usage). */
export function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runCli(spec, argv, io);
}

function describeError(error: unknown): ErrorReport | undefined {
  if (!(error instanceof AdminClientError)) return undefined;
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    // A value the library refused before sending anything is bad input, like a usage error.
    ...(error.code === "invalid_option" ? { exitCode: EXIT.usage } : {}),
    ...(error instanceof AdminApiError
      ? { details: { status: error.status, restate_code: error.restateCode ?? null } }
      : {}),
    ...(error instanceof ApplyIncompleteError
      ? {
          details: {
            applied: error.applied,
            cause_code: error.cause instanceof AdminClientError ? error.cause.code : "internal_error",
          },
        }
      : {}),
    ...(error instanceof PruneIncompleteError
      ? {
          details: {
            removed: error.removed.map((d) => ({ id: d.id, address: d.address })),
            orphaned: error.orphaned,
            cause_code: error.cause instanceof AdminClientError ? error.cause.code : "internal_error",
          },
        }
      : {}),
    ...(error instanceof DiscoveryError
      ? {
          details: {
            status: error.status,
            restate_code: error.restateCode ?? null,
            failure: error.failure,
            deployment_status: error.deploymentStatus ?? null,
            hint: error.hint,
          },
        }
      : {}),
  };
}
