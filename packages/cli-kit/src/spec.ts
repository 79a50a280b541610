import type { CliIo } from "./io.js";

/** One flag. Every flag is documented: the help text is generated from these. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** May be given more than once (string flags only); read with `flags.strings`. */
  multiple?: boolean;
  /** One-letter alias, e.g. `f` for `-f`. */
  short?: string;
  /** Placeholder shown in help, e.g. `<url>`. Default `<value>` for string flags. */
  value?: string;
  description: string;
}

export type OptionsSpec = Readonly<Record<string, OptionSpec>>;

/** What a command handler gets. */
export interface CommandContext {
  /** The CLI's name, e.g. `restate-admin`. */
  readonly cli: string;
  readonly version: string;
  /** The command's name as declared, e.g. `deployments prune`. */
  readonly command: string;
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  readonly flags: Flags;
  /** `--json` was given: print JSON on stdout, for success and failure alike. */
  readonly json: boolean;
  readonly io: CliIo;
  /** Prints `human()` or, with `--json`, `machine` as JSON, on stdout. */
  print(human: () => string, machine: unknown): void;
  /** A progress line on stderr (never stdout, so `--json` output stays parseable). */
  progress(text: string): void;
  /** `<cli>: warning: <text>` on stderr. */
  warn(text: string): void;
}

/** Typed access to parsed flags; reading a flag the command did not declare is a programming error. */
export interface Flags {
  string(name: string): string | undefined;
  strings(name: string): string[];
  boolean(name: string): boolean;
  /** Whether the flag appeared on the command line. */
  given(name: string): boolean;
}

export interface CommandSpec {
  /** One or more words: `register`, `deployments prune`. */
  name: string;
  /** Other names that reach this command, e.g. `deployments` for `deployments list`. */
  aliases?: readonly string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments as shown in usage, e.g. `<url|arn>`. */
  usage?: string;
  /** How many positional arguments the command takes. Default exactly 0. */
  args?: { min: number; max: number };
  options?: OptionsSpec;
  /** Paragraphs shown by `<command> --help` after the summary. */
  details?: string;
  /**
   * The exit code of every failure of this command, usage errors included, instead of 1 / 2. For
   * conventions where 2 means something else, e.g. Terraform's `plan -detailed-exitcode` (0 no changes,
   * 2 changes, 1 any failure). Gets the raw argv; return undefined for the usual codes.
   */
  failureExitCode?(argv: readonly string[]): 1 | 2 | undefined;
  /** Returns the exit code (default 0). Throw `CliUsageError` for bad input (exit 2), anything else fails (exit 1). */
  run(context: CommandContext): Promise<number | undefined> | number | undefined;
}

/** What `--json` and the error line report about a failure. */
export interface ErrorReport {
  code: string;
  message: string;
  retryable?: boolean;
  /** 2 when the failure is the caller's input; default 1. */
  exitCode?: 1 | 2;
  /** Extra machine-readable fields for `--json` (never secrets). */
  details?: Record<string, unknown>;
}

export interface CliSpec {
  name: string;
  version: string;
  /** One line under the name in `--help`. */
  summary: string;
  commands: readonly CommandSpec[];
  /** Flags every command takes, besides the built-in `--json`, `--help` and `--version`. */
  globalOptions?: OptionsSpec;
  /** Text after the option list in the main help: environment variables, examples. */
  footer?: string;
  /** Turns a library error into a report; return undefined to use the generic one. */
  describeError?(error: unknown): ErrorReport | undefined;
}
