export { CliUsageError, invalidFlag, parseFlag, USAGE_ERROR_CODES, type UsageErrorCode } from "./errors.js";
export { type CliIo, EXIT, processIo } from "./io.js";
export { defineCommand, runCli } from "./run.js";
export { secretFrom } from "./secrets.js";
export type { CliSpec, CommandContext, CommandSpec, ErrorReport, Flags, OptionSpec, OptionsSpec } from "./spec.js";
export { jsonTerminalSafe, terminalSafe } from "./terminal.js";
