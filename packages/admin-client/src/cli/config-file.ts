import { open } from "node:fs/promises";
import { type Document, LineCounter, parseDocument, visit } from "yaml";
import { type ParseConfigOptions, parseConfig, type RestateConfig } from "../lifecycle/config.js";
import { ConfigError } from "../lifecycle/errors.js";

/**
 * Reads a `plan`/`apply` configuration file: JSON when the name ends in `.json`, YAML otherwise. YAML
 * is parsed by `yaml` (eemeli/yaml: ISC, no dependencies, YAML 1.2), bundled into the CLI only, so the
 * library keeps zero runtime dependencies. Duplicate keys are errors (in JSON too), tags are errors
 * (`!!set`, `!!binary`, `!custom` would otherwise turn into something else or nothing at all), aliases
 * are capped and files are at most 1 MiB, so a file cannot silently override or drop a setting or
 * expand without bound. Errors give a position, never the offending text.
 */
export async function loadConfigFile(
  path: string,
  env: ParseConfigOptions["env"],
  stdin?: () => Promise<Uint8Array>,
): Promise<RestateConfig> {
  // `-` is standard input, read as YAML (which also reads JSON).
  const source = path === "-" ? "stdin" : path;
  let bytes: Uint8Array;
  try {
    if (path !== "-") bytes = await readBounded(path);
    else if (stdin !== undefined) bytes = await stdin();
    else throw Object.assign(new Error("no standard input"), { code: "no_stdin" });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new ConfigError("invalid_config", source, "", `cannot read the file (${code})`);
  }
  if (bytes.byteLength > MAX_CONFIG_BYTES) {
    throw new ConfigError("invalid_config", source, "", `larger than ${MAX_CONFIG_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError("invalid_config", source, "", "not UTF-8 text");
  }
  const json = path.toLowerCase().endsWith(".json");
  return parseConfig(parseText(source, text, json), { env, source });
}

/** A configuration file larger than this is refused before it is parsed. */
const MAX_CONFIG_BYTES = 1024 * 1024;

async function readBounded(path: string): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    // Regular files are refused by size before reading; pipes and devices are read up to one byte over.
    const { size } = await file.stat();
    if (size > MAX_CONFIG_BYTES) return new Uint8Array(size > 0 ? MAX_CONFIG_BYTES + 1 : 0);
    const buffer = new Uint8Array(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

function parseText(path: string, text: string, json: boolean): unknown {
  const lines = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  // Position only, never the offending text: a misplaced secret must not end up in CI logs.
  const at = (offset: number) => {
    const pos = lines.linePos(offset);
    return pos ? ` at line ${pos.line}, column ${pos.col}` : "";
  };
  if (json) {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      // V8's message quotes the text around the error; the YAML parser's position is used instead.
      const first = document.errors[0];
      throw new ConfigError("invalid_config", path, "", `not valid JSON${first ? at(first.pos[0]) : ""}`);
    }
    // JSON.parse keeps the last of two equal keys; the same JSON text read as YAML finds the first repeat.
    const duplicate = document.errors.find((e) => e.code === "DUPLICATE_KEY");
    if (duplicate) throw new ConfigError("invalid_config", path, "", `duplicate key${at(duplicate.pos[0])}`);
    return value;
  }
  const [first] = document.errors;
  if (first !== undefined) {
    throw new ConfigError("invalid_config", path, "", `not valid YAML${at(first.pos[0])}: ${first.code.toLowerCase()}`);
  }
  const tagged = firstTag(document);
  if (tagged !== undefined) {
    throw new ConfigError("invalid_config", path, "", `YAML tags are not supported${at(tagged)}`);
  }
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw new ConfigError("invalid_config", path, "", `not usable YAML: ${(error as Error).message}`);
  }
}

/** The offset of the first explicitly tagged node (`!!set`, `!!binary`, `!custom`…), if any. */
function firstTag(document: Document): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Node(_, node) {
      if (node.tag === undefined) return undefined;
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
