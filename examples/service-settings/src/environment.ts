/** Environment variables (Node's `process.env`, Deno's `Deno.env.toObject()`, Worker bindings). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The trimmed value of a variable, or undefined when it is unset or blank. */
export function textSetting(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The non-empty entries of a list separated by `separator`, trimmed. */
export function listSetting(value: string | undefined, separator: RegExp = /,/): string[] {
  return (value ?? "")
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
