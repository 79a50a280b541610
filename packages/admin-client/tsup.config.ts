import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Options } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

const library = { index: "src/index.ts", lifecycle: "src/lifecycle/index.ts" };

const shared: Options = {
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  // The configurations build in parallel into one folder: it is emptied here, once.
  clean: false,
};

rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

export default defineConfig([
  // The bin dist/cli.js is built with the ES modules (it shares their chunks), with no CommonJS copy
  // and no declarations: nothing would load them. The CLI framework is private to this repository:
  // bundled into dist/cli.js, never imported at run time.
  {
    ...shared,
    entry: { ...library, cli: "src/cli.ts" },
    format: "esm",
    dts: { entry: library },
    noExternal: ["@restate-connect/cli-kit"],
    define: { __CLI_VERSION__: JSON.stringify(version) },
    // The CLI bundles `yaml` (plan/apply files). Its "node" export is CommonJS that require()s "process",
    // which an ES module bundle cannot do; its default export is the same code as an ES module.
    esbuildOptions(options) {
      const yamlRoot = dirname(createRequire(import.meta.url).resolve("yaml/package.json"));
      options.alias = { ...options.alias, yaml: join(yamlRoot, "browser/index.js") };
    },
  },
  { ...shared, entry: library, format: "cjs", dts: true },
]);
