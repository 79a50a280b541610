import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    cdk: "src/cdk.ts",
    sts: "src/sts.ts",
    cli: "src/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  // The CLI shape is shared source, bundled into dist/cli.js; the published package does not depend on it.
  noExternal: ["@restate-connect/cli-kit"],
});
