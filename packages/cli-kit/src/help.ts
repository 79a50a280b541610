import type { CliSpec, CommandSpec, OptionsSpec } from "./spec.js";

export const BUILT_IN_OPTIONS: OptionsSpec = {
  json: { type: "boolean", description: "JSON on stdout, for success and failure alike" },
  help: { type: "boolean", short: "h", description: "Show help (also: help <command>)" },
  version: { type: "boolean", description: "Print the version" },
};

const EXIT_CODES = "Exit codes: 0 success, 1 refused or failed, 2 usage error.";

function optionLines(options: OptionsSpec): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}`;
    const value = spec.type === "string" ? ` ${spec.value ?? "<value>"}` : "";
    const repeat = spec.multiple ? " (repeatable)" : "";
    return [`${flag}${value}`, `${spec.description}${repeat}`] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

function commandLabel(command: CommandSpec): string {
  return command.usage ? `${command.name} ${command.usage}` : command.name;
}

/** `<cli> --help`: every command and the flags they all take. */
export function mainHelp(spec: CliSpec): string {
  const width = Math.max(...spec.commands.map((c) => commandLabel(c).length)) + 2;
  return [
    `${spec.name} — ${spec.summary}`,
    "",
    `Usage: ${spec.name} <command> [options]`,
    "",
    "Commands:",
    ...spec.commands.map((c) => `  ${commandLabel(c).padEnd(width)}${c.summary}`),
    "",
    "Options:",
    ...optionLines({ ...(spec.globalOptions ?? {}), ...BUILT_IN_OPTIONS }),
    "",
    `Run "${spec.name} <command> --help" for a command's flags.`,
    EXIT_CODES,
    ...(spec.footer ? ["", spec.footer] : []),
  ].join("\n");
}

/** `<cli> <command> --help`. */
export function commandHelp(spec: CliSpec, command: CommandSpec): string {
  const own = command.options ?? {};
  return [
    `Usage: ${spec.name} ${commandLabel(command)}${Object.keys(own).length > 0 ? " [options]" : ""}`,
    "",
    command.summary,
    ...(command.details ? ["", command.details] : []),
    ...(command.aliases?.length ? ["", `Also: ${command.aliases.map((a) => `${spec.name} ${a}`).join(", ")}`] : []),
    ...(Object.keys(own).length > 0 ? ["", "Options:", ...optionLines(own)] : []),
    "",
    "Global options:",
    ...optionLines({ ...(spec.globalOptions ?? {}), ...BUILT_IN_OPTIONS }),
    "",
    EXIT_CODES,
  ].join("\n");
}
