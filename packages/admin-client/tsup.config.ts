import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { libraryBuild } from "../../scripts/tsup-library.ts";

export default libraryBuild({
  packageDir: import.meta.dirname,
  library: { index: "src/index.ts", lifecycle: "src/lifecycle/index.ts" },
  // The CLI bundles `yaml` (plan/apply files). Its "node" export is CommonJS that require()s "process",
  // which an ES module bundle cannot do; its default export is the same code as an ES module.
  esbuildOptions(options) {
    const yamlRoot = dirname(createRequire(import.meta.url).resolve("yaml/package.json"));
    options.alias = { ...options.alias, yaml: join(yamlRoot, "browser/index.js") };
  },
});
