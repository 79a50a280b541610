import { readFileSync, rmSync } from "node:fs";
import { defineConfig, type Options } from "tsup";
import { licenceBanner } from "../../scripts/licence-banner.ts";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

// @noble/ciphers ships as ES modules only; Node < 20.19 and < 22.12 refuse to `require` it
// (ERR_REQUIRE_ESM). The CommonJS build bundles it, the ES module build imports it.
const ESM_ONLY = ["@noble/ciphers"];

const library = { index: "src/index.ts", kms: "src/kms.ts", state: "src/state/index.ts" };

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
  // and no declarations: nothing would load them. The CLI kit is private: bundled into dist/cli.js,
  // never imported from it.
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
