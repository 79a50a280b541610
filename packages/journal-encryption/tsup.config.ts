import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    kms: "src/kms.ts",
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
