import { invalidFlag } from "@restate-connect/cli-kit";

/** Repeated `--<flag> name=value` pairs as a header map; a pair without `=` names the flag. */
export function headerPairs(flag: string, pairs: readonly string[]): Record<string, string> | undefined {
  let headers: Record<string, string> | undefined;
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0)
      throw invalidFlag(flag, `expects name=value, got "${pair.slice(0, 40)}${pair.length > 40 ? "…" : ""}"`);
    headers ??= {};
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return headers;
}
