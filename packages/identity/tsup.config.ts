import { readFileSync, rmSync } from "node:fs";
import { defineConfig, type Options } from "tsup";
import { licenceBanner } from "../../scripts/licence-banner.ts";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// These dependencies ship as ES modules only; Node < 20.19 and < 22.12 refuse to `require` them
// (ERR_REQUIRE_ESM). The CommonJS build bundles them, the ES module build imports them.
const ESM_ONLY = ["@noble/ed25519", "@noble/hashes", "@scure/base"];

const library = {
  index: "src/index.ts",
  "adapters/fetch": "src/adapters/fetch.ts",
  "adapters/node": "src/adapters/node.ts",
  "adapters/lambda": "src/adapters/lambda.ts",
  "adapters/hono": "src/adapters/hono.ts",
};

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
  // and no declarations: nothing would load them. The one CLI shape is bundled into dist/cli.js; the
  // published package does not depend on it.
  {
    ...shared,
    entry: { ...library, cli: "src/cli.ts" },
    format: "esm",
    dts: { entry: library },
    noExternal: ["@restate-connect/cli-kit"],
    define: { __CLI_VERSION__: JSON.stringify(version) },
  },
  {
    ...shared,
    entry: library,
    format: "cjs",
    dts: true,
    noExternal: ESM_ONLY,
    banner: { js: licenceBanner(import.meta.dirname, ESM_ONLY) },
  },
]);
