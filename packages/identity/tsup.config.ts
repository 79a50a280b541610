import { defineConfig } from "tsup";

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
});
