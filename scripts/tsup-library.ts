// The one build shape of the four published packages (each package's tsup.config.ts calls it):
// ES modules and CommonJS for the library entries, with declarations; the bin dist/cli.js built with
// the ES modules (it shares their chunks), with no CommonJS copy and no declarations, since nothing
// would load them. The private CLI kit is bundled into dist/cli.js, so the published package never
// depends on it. Dependencies that ship as ES modules only are bundled into the CommonJS build (Node
// < 20.19 and < 22.12 refuse to `require` them), with their licence notices.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Options } from "tsup";
import { licenceBanner } from "./licence-banner.ts";

export interface LibraryBuild {
  /** The package's folder: `import.meta.dirname` of its tsup.config.ts. */
  packageDir: string;
  /** Entry name → source file of every public entry point. */
  library: Record<string, string>;
  /** Dependencies that ship as ES modules only: bundled into the CommonJS build. */
  esmOnly?: readonly string[];
  /** esbuild settings of the ES module build, e.g. an alias for what the CLI bundles. */
  esbuildOptions?: Options["esbuildOptions"];
}

export function libraryBuild(build: LibraryBuild) {
  const { version } = JSON.parse(readFileSync(join(build.packageDir, "package.json"), "utf8")) as {
    version: string;
  };
  const shared: Options = {
    target: "node20",
    sourcemap: false,
    splitting: true,
    treeshake: true,
    // The configurations build in parallel into one folder: it is emptied here, once.
    clean: false,
  };
  rmSync(join(build.packageDir, "dist"), { recursive: true, force: true });
  const esmOnly = [...(build.esmOnly ?? [])];
  return defineConfig([
    {
      ...shared,
      entry: { ...build.library, cli: "src/cli.ts" },
      format: "esm",
      dts: { entry: build.library },
      noExternal: ["@restate-connect/cli-kit"],
      define: { __CLI_VERSION__: JSON.stringify(version) },
      ...(build.esbuildOptions ? { esbuildOptions: build.esbuildOptions } : {}),
    },
    {
      ...shared,
      entry: build.library,
      format: "cjs",
      dts: true,
      ...(esmOnly.length > 0 ? { noExternal: esmOnly, banner: { js: licenceBanner(build.packageDir, esmOnly) } } : {}),
    },
  ]);
}
