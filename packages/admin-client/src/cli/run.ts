import { type AdminClient, createAdminClient } from "../client.js";
import { AdminApiError, AdminClientError, InvalidArgumentError } from "../errors.js";
import type { DeploymentResponse, ServiceMetadata } from "../types.js";
import { type Command, type GlobalOptions, parseCommandLine, USAGE, UsageError } from "./args.js";
import { renderTable } from "./table.js";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Runs one CLI invocation and returns its exit code. Never throws. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
  cliVersion: string,
): Promise<number> {
  let options: GlobalOptions;
  let command: Command;
  try {
    ({ options, command } = parseCommandLine(argv, env));
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (command.kind === "version") {
    io.stdout(cliVersion);
    return EXIT_OK;
  }
  try {
    const admin = createAdminClient({
      baseUrl: options.url,
      token: options.token,
      timeoutMs: options.timeoutMs,
      headers: { "user-agent": `restate-admin/${cliVersion}` },
      onRetry: (event) =>
        io.stderr(`… attempt ${event.attempt} failed: ${event.error.message}; retrying in ${event.delayMs} ms`),
    });
    await execute(admin, options, command, io);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidArgumentError) {
      io.stderr(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof AdminClientError) {
      if (options.json) io.stdout(JSON.stringify({ error: describeError(error) }, null, 2));
      io.stderr(`error: ${error.message}`);
      return EXIT_FAILURE;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}

function describeError(error: AdminClientError) {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error instanceof AdminApiError ? { status: error.status, restate_code: error.restateCode ?? null } : {}),
  };
}

async function execute(admin: AdminClient, options: GlobalOptions, command: Command, io: CliIo): Promise<void> {
  const print = (human: () => string, machine: unknown) =>
    io.stdout(options.json ? JSON.stringify(machine, null, 2) : human());
  switch (command.kind) {
    case "health": {
      await admin.health();
      const version = await admin.version();
      const api = await admin.apiVersion();
      print(() => `ok: restate-server ${version.version} at ${options.url} (admin API v${api})`, {
        healthy: true,
        version: version.version,
        admin_api_version: api,
      });
      return;
    }
    case "deployments": {
      const deployments = await admin.deployments.list();
      print(
        () =>
          renderTable(
            ["id", "address", "services", "created at"],
            deployments.map((d) => [d.id, deploymentAddress(d), d.services.map((s) => s.name).join(","), d.created_at]),
          ),
        deployments,
      );
      return;
    }
    case "services": {
      const services = await admin.services.list();
      print(() => servicesTable(services), services);
      return;
    }
    case "service": {
      const service = await admin.services.get(command.name);
      print(
        () =>
          [
            renderTable(
              ["setting", "value"],
              [
                ["name", service.name],
                ["type", service.ty],
                ["revision", service.revision],
                ["public", service.public],
                ["deployment", service.deployment_id],
                ["idempotency retention", service.idempotency_retention],
                ["journal retention", service.journal_retention],
                ["inactivity timeout", service.inactivity_timeout],
                ["abort timeout", service.abort_timeout],
              ],
            ),
            "",
            renderTable(
              ["handler", "type", "public"],
              service.handlers.map((h) => [h.name, h.ty, h.public]),
            ),
          ].join("\n"),
        service,
      );
      return;
    }
    case "invocation": {
      await admin.invocations[command.action](command.id);
      const past = { cancel: "cancellation requested", kill: "killed", purge: "purged" }[command.action];
      print(() => `${command.id}: ${past}`, { id: command.id, action: command.action, ok: true });
      return;
    }
    case "query": {
      const rows = await admin.query(command.sql);
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      print(
        () =>
          rows.length === 0
            ? "(no rows)"
            : renderTable(
                columns,
                rows.map((r) => columns.map((c) => r[c])),
              ),
        rows,
      );
      return;
    }
    case "register": {
      if (command.waitReadyMs !== undefined) {
        io.stderr(`waiting up to ${command.waitReadyMs / 1000}s for ${options.url} …`);
        await admin.waitUntilReady({
          timeoutMs: command.waitReadyMs,
          onWaiting: ({ elapsedMs, problem }) =>
            io.stderr(`… still waiting for ${options.url} (${(elapsedMs / 1000).toFixed(1)}s): ${problem}`),
        });
      }
      const result = await admin.deployments.register(command.target, {
        force: command.force,
        breaking: command.breaking,
        dryRun: command.dryRun,
        headers: command.headers,
        useHttp11: command.useHttp11,
      });
      const verb = command.dryRun ? "would register" : result.created ? "registered" : "updated or unchanged";
      print(
        () =>
          `${verb} deployment ${result.id}\n${renderTable(
            ["service", "type", "revision"],
            result.services.map((s) => [s.name, s.ty, s.revision]),
          )}`,
        { ...result, dry_run: command.dryRun },
      );
      return;
    }
    default:
      throw new UsageError("unknown command");
  }
}

function deploymentAddress(deployment: DeploymentResponse): string {
  return "uri" in deployment ? deployment.uri : deployment.arn;
}

function servicesTable(services: readonly ServiceMetadata[]): string {
  return renderTable(
    ["name", "type", "revision", "public", "deployment"],
    services.map((s) => [s.name, s.ty, s.revision, s.public, s.deployment_id]),
  );
}
