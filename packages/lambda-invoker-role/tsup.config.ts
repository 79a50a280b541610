import { rmSync } from "node:fs";
import { defineConfig, type Options } from "tsup";

const library = { index: "src/index.ts", cdk: "src/cdk.ts", sts: "src/sts.ts" };

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
  // and no declarations: nothing would load them. The CLI shape is shared source, bundled into
  // dist/cli.js; the published package does not depend on it.
  {
    ...shared,
    entry: { ...library, cli: "src/cli.ts" },
    format: "esm",
    dts: { entry: library },
    noExternal: ["@restate-connect/cli-kit"],
  },
  { ...shared, entry: library, format: "cjs", dts: true },
]);
