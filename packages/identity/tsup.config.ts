import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "adapters/fetch": "src/adapters/fetch.ts",
    "adapters/node": "src/adapters/node.ts",
    "adapters/lambda": "src/adapters/lambda.ts",
    "adapters/hono": "src/adapters/hono.ts",
    cli: "src/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  // The one CLI shape is bundled into dist/cli.js; the published package does not depend on it.
  noExternal: ["@restate-connect/cli-kit"],
  define: { __CLI_VERSION__: JSON.stringify(version) },
});
