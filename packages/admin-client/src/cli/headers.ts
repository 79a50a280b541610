import { type CommandContext, invalidFlag } from "@restate-connect/cli-kit";
import { isSecretHeader } from "../redact.js";
import { invalidHeaderName, isHeaderName } from "../validate.js";

/** Repeated `--<flag> name=value` pairs as a map; a pair without `=` names the flag. */
export function namedPairs(flag: string, pairs: readonly string[]): Record<string, string> | undefined {
  let map: Record<string, string> | undefined;
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    // The pair is not echoed: `x-api-key:<secret>` (a colon for the `=`) would print the secret.
    if (at <= 0) throw invalidFlag(flag, `expects name=value (got ${pair.length} characters, not shown)`);
    map ??= {};
    map[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return map;
}

/**
 * Repeated `--<flag> name=value` header pairs. A name that is not a header name is refused without
 * being shown (with a `=` inside a base64 secret, `x-api-key:<secret>` parses as a "name"). A value of
 * a secret-looking header (x-api-key, *token*, …) on the command line gets a warning, as `--token`
 * does: argv shows up in process lists and shell history.
 */
export function headerPairs(
  flag: string,
  pairs: readonly string[],
  context: CommandContext,
): Record<string, string> | undefined {
  const headers = namedPairs(flag, pairs);
  for (const name of Object.keys(headers ?? {})) {
    if (!isHeaderName(name)) throw invalidFlag(flag, `expects name=value: ${invalidHeaderName(name)}`);
  }
  const secret = Object.keys(headers ?? {}).filter(isSecretHeader);
  if (secret.length > 0) {
    context.warn(
      `--${flag} ${secret.join(", ")}: a secret on the command line is visible in process lists and shell history; prefer \`restate-admin apply\` with a config file reading it from the environment ("\${VAR}")`,
    );
  }
  return headers;
}
