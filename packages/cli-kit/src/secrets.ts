import type { CommandContext } from "./spec.js";

/**
 * Reads a secret from a flag, falling back to an environment variable. A secret given on the
 * command line still works, with a warning: argv is visible in process lists and shell history.
 */
export function secretFrom(context: CommandContext, flag: string, envName: string): string | undefined {
  const fromFlag = context.flags.string(flag);
  if (fromFlag !== undefined) {
    context.warn(`--${flag} on the command line is visible in process lists and shell history; prefer ${envName}`);
    return fromFlag;
  }
  const fromEnv = context.io.env[envName];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}
