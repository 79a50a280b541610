import { parseArgs } from "node:util";
import { parseDuration } from "./duration.js";

/** Bad command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface GlobalOptions {
  url: string;
  token: string | undefined;
  json: boolean;
  timeoutMs: number;
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "health" }
  | { kind: "deployments" }
  | { kind: "services" }
  | { kind: "service"; name: string }
  | { kind: "invocation"; action: "cancel" | "kill" | "purge"; id: string }
  | { kind: "query"; sql: string }
  | {
      kind: "register";
      target: { uri: string } | { arn: string; assumeRoleArn?: string };
      force: boolean;
      breaking: boolean;
      dryRun: boolean;
      headers: Record<string, string> | undefined;
      useHttp11: boolean;
      waitReadyMs: number | undefined;
    };

export const USAGE = `Usage: restate-admin [options] <command>

Commands:
  register <url|arn>            Register a deployment (HTTP endpoint or Lambda ARN)
      --assume-role-arn <arn>     Role Restate assumes to invoke the Lambda
      --force                     Replace an existing deployment at the same address
      --breaking                  Allow breaking changes to existing services
      --dry-run                   Discover and report, register nothing
      --header <k=v>              Header Restate sends to the deployment (repeatable)
      --http1.1                   Discover over HTTP/1.1 (request-response mode)
      --wait-ready <duration>     First wait until the admin API is up (e.g. 60s)
  deployments                   List deployments
  services                      List services
  service <name>                Show a service and its handlers
  invocation <cancel|kill|purge> <id>
  query "<sql>"                 Run SQL against the introspection tables
  health                        Check the admin API and show the server version

Options:
  --url <url>        Admin API URL (env RESTATE_ADMIN_URL, default http://localhost:9070)
  --token <token>    Bearer token (prefer env RESTATE_AUTH_TOKEN: flags show up in process lists)
  --json             Machine-readable output on stdout
  --timeout <dur>    Per-request timeout (default 30s)
  -h, --help         Show this help
  --version          Show the CLI version

Exit codes: 0 success, 1 API or network failure, 2 usage error.`;

/** Parses argv (without node and script) and the environment into a command. Throws UsageError. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { options: GlobalOptions; command: Command } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const timeoutMs = values.timeout === undefined ? 30_000 : parseDuration(values.timeout);
  if (timeoutMs === undefined) throw new UsageError(`--timeout: "${values.timeout}" is not a duration (e.g. 30s)`);
  const options: GlobalOptions = {
    url: values.url ?? env.RESTATE_ADMIN_URL ?? "http://localhost:9070",
    token: values.token ?? (env.RESTATE_AUTH_TOKEN || undefined),
    json: values.json ?? false,
    timeoutMs,
  };
  if (values.help) return { options, command: { kind: "help" } };
  if (values.version) return { options, command: { kind: "version" } };

  const [name, ...rest] = positionals;
  const registerOnly = ["assume-role-arn", "force", "breaking", "dry-run", "header", "http1.1", "wait-ready"] as const;
  if (name !== "register") {
    for (const flag of registerOnly) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} only applies to register`);
    }
  }
  const expectArgs = (count: number, shape: string) => {
    if (rest.length !== count) throw new UsageError(`usage: restate-admin ${shape}`);
  };
  switch (name) {
    case undefined:
      throw new UsageError("missing command (see --help)");
    case "health":
    case "deployments":
    case "services":
      expectArgs(0, name);
      return { options, command: { kind: name } };
    case "service":
      expectArgs(1, "service <name>");
      return { options, command: { kind: "service", name: rest[0] as string } };
    case "invocation": {
      expectArgs(2, "invocation <cancel|kill|purge> <id>");
      const action = rest[0];
      if (action !== "cancel" && action !== "kill" && action !== "purge") {
        throw new UsageError(`invocation: unknown action "${action}" (cancel, kill or purge)`);
      }
      return { options, command: { kind: "invocation", action, id: rest[1] as string } };
    }
    case "query":
      expectArgs(1, 'query "<sql>"');
      return { options, command: { kind: "query", sql: rest[0] as string } };
    case "register":
      expectArgs(1, "register <url|arn> [options]");
      return { options, command: registerCommand(rest[0] as string, values) };
    default:
      throw new UsageError(`unknown command "${name}" (see --help)`);
  }
}

function registerCommand(address: string, values: ReturnType<typeof parse>["values"]): Command {
  const isArn = address.startsWith("arn:");
  if (!isArn && values["assume-role-arn"] !== undefined) throw new UsageError("--assume-role-arn needs a Lambda ARN");
  if (isArn && values["http1.1"]) throw new UsageError("--http1.1 applies to HTTP deployments only");
  let headers: Record<string, string> | undefined;
  for (const pair of values.header ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--header: expected key=value, got "${pair}"`);
    headers ??= {};
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  let waitReadyMs: number | undefined;
  if (values["wait-ready"] !== undefined) {
    waitReadyMs = parseDuration(values["wait-ready"]);
    if (waitReadyMs === undefined) throw new UsageError(`--wait-ready: "${values["wait-ready"]}" is not a duration`);
  }
  const role = values["assume-role-arn"];
  return {
    kind: "register",
    target: isArn ? (role === undefined ? { arn: address } : { arn: address, assumeRoleArn: role }) : { uri: address },
    force: values.force ?? false,
    breaking: values.breaking ?? false,
    dryRun: values["dry-run"] ?? false,
    headers,
    useHttp11: values["http1.1"] ?? false,
    waitReadyMs,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
      "assume-role-arn": { type: "string" },
      force: { type: "boolean" },
      breaking: { type: "boolean" },
      "dry-run": { type: "boolean" },
      header: { type: "string", multiple: true },
      "http1.1": { type: "boolean" },
      "wait-ready": { type: "string" },
    },
  });
}
