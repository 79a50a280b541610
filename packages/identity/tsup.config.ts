import { readFileSync, rmSync } from "node:fs";
import { defineConfig, type Options } from "tsup";
import { licenceBanner } from "../../scripts/licence-banner.ts";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// These dependencies ship as ES modules only; Node < 20.19 and < 22.12 refuse to `require` them
// (ERR_REQUIRE_ESM). The CommonJS build bundles them, the ES module build imports them.
const ESM_ONLY = ["@noble/ed25519", "@noble/hashes", "@scure/base"];

const shared: Options = {
  entry: {
    index: "src/index.ts",
    "adapters/fetch": "src/adapters/fetch.ts",
    "adapters/node": "src/adapters/node.ts",
    "adapters/lambda": "src/adapters/lambda.ts",
    "adapters/hono": "src/adapters/hono.ts",
    cli: "src/cli.ts",
  },
  dts: true,
  // The configurations build in parallel into one folder: it is emptied here, once.
  clean: false,
  target: "node20",
  sourcemap: false,
  splitting: true,
  treeshake: true,
  define: { __CLI_VERSION__: JSON.stringify(version) },
};

rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

export default defineConfig([
  // The one CLI shape is bundled into dist/cli.js; the published package does not depend on it.
  { ...shared, format: "esm", noExternal: ["@restate-connect/cli-kit"] },
  {
    ...shared,
    format: "cjs",
    noExternal: ["@restate-connect/cli-kit", ...ESM_ONLY],
    banner: { js: licenceBanner(import.meta.dirname, ESM_ONLY) },
  },
]);
