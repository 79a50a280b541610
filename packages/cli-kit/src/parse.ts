import { parseArgs } from "node:util";
import { CliUsageError } from "./errors.js";
import type { CommandSpec, Flags, OptionsSpec } from "./spec.js";

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function toParseArgs(options: OptionsSpec): NonNullable<ParseArgsOptions> {
  const out: NonNullable<ParseArgsOptions> = {};
  for (const [name, spec] of Object.entries(options)) {
    out[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  return out;
}

/**
 * Finds the command a command line names: the longest run of leading positionals that is a command
 * name or alias. Flags are skipped using what every command declares, so global flags may come first.
 */
export function findCommand(
  argv: readonly string[],
  commands: readonly CommandSpec[],
  allOptions: OptionsSpec,
): { command: CommandSpec | undefined; words: string[] } {
  const { positionals } = parseArgs({
    args: [...argv],
    options: toParseArgs(allOptions),
    strict: false,
    allowPositionals: true,
  });
  const names = new Map<string, CommandSpec>();
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) names.set(name, command);
  }
  for (let length = positionals.length; length > 0; length--) {
    const candidate = positionals.slice(0, length).join(" ");
    const command = names.get(candidate);
    if (command) return { command, words: positionals.slice(0, length) };
  }
  return { command: undefined, words: positionals.slice(0, 1) };
}

/** Strict parse of one command's flags; Node's messages become ours, naming the flag. */
export function parseCommandLine(
  argv: readonly string[],
  options: OptionsSpec,
  where: string,
): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: toParseArgs(options),
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    throw rewriteParseError(error, options, where);
  }
}

function rewriteParseError(error: unknown, options: OptionsSpec, where: string): CliUsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const suggestion = closest(flag.replace(/^-+/, ""), Object.keys(options));
    return new CliUsageError(
      "unknown_option",
      `unknown flag ${flag} for ${where}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = flag.replace(/^-+/, "");
    const spec = options[name] ?? Object.entries(options).find(([, s]) => s.short === name)?.[1];
    return new CliUsageError(
      "invalid_option",
      spec?.type === "boolean" ? `${flag} takes no value` : `${flag} needs a value`,
    );
  }
  return new CliUsageError("invalid_option", message);
}

/** The declared flag nearest to a mistyped one (edit distance ≤ 2), for "did you mean". */
function closest(typed: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Typed, checked access to parsed values. */
export function flagsOf(values: Values, options: OptionsSpec): Flags {
  const declared = (name: string, type: "string" | "boolean") => {
    const spec = options[name];
    if (!spec || spec.type !== type) throw new Error(`flag --${name} is not declared as a ${type} flag`);
    return spec;
  };
  return {
    string(name) {
      declared(name, "string");
      const value = values[name];
      return Array.isArray(value) ? (value.at(-1) as string | undefined) : (value as string | undefined);
    },
    strings(name) {
      declared(name, "string");
      const value = values[name];
      if (value === undefined) return [];
      return (Array.isArray(value) ? value : [value]) as string[];
    },
    boolean(name) {
      declared(name, "boolean");
      return values[name] === true;
    },
    given: (name) => values[name] !== undefined,
  };
}
