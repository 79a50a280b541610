import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  entry: {
    index: "src/index.ts",
    lifecycle: "src/lifecycle/index.ts",
    cli: "src/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  // The CLI framework is private to this repository: bundled into dist/cli.js, never imported at run time.
  noExternal: ["@restate-connect/cli-kit"],
  define: { __CLI_VERSION__: JSON.stringify(version) },
  // The CLI bundles `yaml` (plan/apply files). Its "node" export is CommonJS that require()s "process",
  // which an ES module bundle cannot do; its default export is the same code as an ES module.
  esbuildOptions(options) {
    const yamlRoot = dirname(createRequire(import.meta.url).resolve("yaml/package.json"));
    options.alias = { ...options.alias, yaml: join(yamlRoot, "browser/index.js") };
  },
});
