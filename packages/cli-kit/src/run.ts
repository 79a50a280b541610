import { CliUsageError } from "./errors.js";
import { BUILT_IN_OPTIONS, commandHelp, mainHelp } from "./help.js";
import { type CliIo, EXIT } from "./io.js";
import { findCommand, flagsOf, parseCommandLine } from "./parse.js";
import type { CliSpec, CommandContext, CommandSpec, ErrorReport, OptionsSpec } from "./spec.js";
import { jsonTerminalSafe, terminalSafe } from "./terminal.js";

/**
 * Runs one command line and returns the exit code; never throws.
 *
 * `--version`, `--help`/`-h`, `help [command]` and `<command> --help` are built in. Failures print
 * one line, `<cli>: error [<code>]: <message>`, on stderr, and with `--json` also
 * `{"error":{"code","message",…}}` on stdout. Exit codes: 0 success, 1 refused or failed, 2 usage.
 */
export async function runCli(spec: CliSpec, argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes("--json");
  try {
    return await dispatch(spec, argv, io, json);
  } catch (error) {
    const report = reportOf(spec, error);
    if (json) io.stdout(jsonTerminalSafe(JSON.stringify({ error: errorJson(report) }, null, 2)));
    io.stderr(`${spec.name}: error [${report.code}]: ${terminalSafe(report.message, true)}`);
    const { command } = findCommand(argv, spec.commands, everyOptionOf(spec));
    return command?.failureExitCode?.(argv) ?? report.exitCode ?? EXIT.failed;
  }
}

async function dispatch(spec: CliSpec, argv: readonly string[], io: CliIo, json: boolean): Promise<number> {
  const everyOption = everyOptionOf(spec);
  const { command, words } = findCommand(argv, spec.commands, everyOption);

  if (!command) {
    const first = words[0];
    if (first === "help") return help(spec, argv, io, everyOption);
    const top = parseCommandLine(argv, { ...(spec.globalOptions ?? {}), ...BUILT_IN_OPTIONS }, spec.name);
    if (top.values.version === true) return print(io, spec.version);
    if (top.values.help === true) return print(io, mainHelp(spec));
    if (first === undefined) {
      throw new CliUsageError("missing_command", `no command given (see ${spec.name} --help)`);
    }
    throw new CliUsageError("unknown_command", `unknown command ${quoteArgument(first)} (see ${spec.name} --help)`);
  }

  const options: OptionsSpec = { ...(command.options ?? {}), ...(spec.globalOptions ?? {}), ...BUILT_IN_OPTIONS };
  const where = `"${command.name}"`;
  const { values, positionals } = parseCommandLine(argv, options, where);
  if (values.help === true) return print(io, commandHelp(spec, command));
  if (values.version === true) return print(io, spec.version);

  const args = positionals.slice(words.length);
  const { min, max } = command.args ?? { min: 0, max: 0 };
  const usage = `usage: ${spec.name} ${command.name}${command.usage ? ` ${command.usage}` : ""}`;
  if (args.length < min) throw new CliUsageError("missing_argument", `${command.name}: missing argument (${usage})`);
  if (args.length > max) {
    throw new CliUsageError(
      "unexpected_argument",
      `${command.name}: unexpected argument ${quoteArgument(args[max] as string)} (${usage})`,
    );
  }

  const context: CommandContext = {
    cli: spec.name,
    version: spec.version,
    command: command.name,
    args,
    flags: flagsOf(values, options),
    json,
    io,
    // Text from elsewhere (stored data, a server's messages) reaches the terminal only through these.
    print: (human, machine) =>
      io.stdout(json ? jsonTerminalSafe(JSON.stringify(machine, null, 2)) : terminalSafe(human())),
    progress: (text) => io.stderr(terminalSafe(text, true)),
    warn: (text) => io.stderr(`${spec.name}: warning: ${terminalSafe(text, true)}`),
  };
  return (await command.run(context)) ?? EXIT.ok;
}

function everyOptionOf(spec: CliSpec): OptionsSpec {
  return Object.assign({}, ...spec.commands.map((c) => c.options ?? {}), spec.globalOptions ?? {}, BUILT_IN_OPTIONS);
}

function help(spec: CliSpec, argv: readonly string[], io: CliIo, everyOption: OptionsSpec): number {
  const rest = argv.slice(argv.indexOf("help") + 1);
  const { command, words } = findCommand(rest, spec.commands, everyOption);
  if (command) return print(io, commandHelp(spec, command));
  if (words.length === 0) return print(io, mainHelp(spec));
  throw new CliUsageError(
    "unknown_command",
    `unknown command ${quoteArgument(words.join(" "))} (see ${spec.name} --help)`,
  );
}

/**
 * An argument as error messages show it. A stray argument is often a secret that lost its flag
 * (`--token` forgotten, `--local-key id <key>` with a space): only word-like arguments (command
 * names, short words) are echoed; anything else is described by its length, never shown.
 */
export function quoteArgument(argument: string): string {
  return /^[A-Za-z][A-Za-z ._-]{0,39}$/.test(argument) && !/[A-Za-z]{25}/.test(argument)
    ? `"${argument}"`
    : `(${argument.length} characters, not shown)`;
}

function print(io: CliIo, text: string): number {
  io.stdout(text);
  return EXIT.ok;
}

function reportOf(spec: CliSpec, error: unknown): ErrorReport {
  if (error instanceof CliUsageError) return { code: error.code, message: error.message, exitCode: EXIT.usage };
  const described = spec.describeError?.(error);
  if (described) return described;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const retryable = (error as { retryable?: unknown }).retryable;
    return {
      code: typeof code === "string" && /^[a-z][a-z0-9_]*$/.test(code) ? code : "internal_error",
      message: error.message,
      ...(typeof retryable === "boolean" ? { retryable } : {}),
    };
  }
  return { code: "internal_error", message: String(error) };
}

function errorJson(report: ErrorReport): Record<string, unknown> {
  return {
    code: report.code,
    message: report.message,
    ...(report.retryable === undefined ? {} : { retryable: report.retryable }),
    ...(report.details ?? {}),
  };
}

/** The command spec list can be built up in separate files; this keeps the literal type. */
export function defineCommand(command: CommandSpec): CommandSpec {
  return command;
}
