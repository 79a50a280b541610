import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { type ParseConfigOptions, parseConfig, type RestateConfig } from "../lifecycle/config.js";
import { ConfigError } from "../lifecycle/errors.js";

/**
 * Reads a `plan`/`apply` configuration file: JSON when the name ends in `.json`, YAML otherwise. YAML
 * is parsed by `yaml` (eemeli/yaml: ISC, no dependencies, YAML 1.2), bundled into the CLI only, so the
 * library keeps zero runtime dependencies. Duplicate keys are errors and aliases are capped, so a file
 * cannot silently override a setting or expand without bound.
 */
export async function loadConfigFile(
  path: string,
  env: ParseConfigOptions["env"],
  stdin?: () => Promise<Uint8Array>,
): Promise<RestateConfig> {
  // `-` is standard input, read as YAML (which also reads JSON).
  const source = path === "-" ? "stdin" : path;
  let text: string;
  try {
    if (path !== "-") text = await readFile(path, "utf8");
    else if (stdin !== undefined) text = new TextDecoder("utf-8", { fatal: true }).decode(await stdin());
    else throw Object.assign(new Error("no standard input"), { code: "no_stdin" });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new ConfigError("invalid_config", source, "", `cannot read the file (${code})`);
  }
  const json = path.toLowerCase().endsWith(".json");
  return parseConfig(parseText(source, text, json), { env, source });
}

function parseText(path: string, text: string, json: boolean): unknown {
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ConfigError("invalid_config", path, "", `not valid JSON: ${(error as Error).message}`);
    }
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const [first] = document.errors;
  if (first !== undefined) {
    // Position only, never the offending text: a misplaced secret must not end up in CI logs.
    const at = lines.linePos(first.pos[0]);
    throw new ConfigError(
      "invalid_config",
      path,
      "",
      `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${first.code.toLowerCase()}`,
    );
  }
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new ConfigError("invalid_config", path, "", `not usable YAML: ${(error as Error).message}`);
  }
}
