import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  entry: {
    index: "src/index.ts",
    kms: "src/kms.ts",
    state: "src/state/index.ts",
    cli: "src/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  // The CLI kit is private: bundled into dist/cli.js, never imported from it.
  noExternal: ["@restate-connect/cli-kit"],
  define: { __CLI_VERSION__: JSON.stringify(version) },
});
