import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const LIMIT = 12 * 1024;

describe("the library entry", () => {
  it("bundles for a neutral platform (no Node built-ins) to ≤ 12 KB minified+gzipped, with no runtime dependencies", async () => {
    expect(existsSync(entry), "dist/index.js is missing: build first").toBe(true);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    expect(pkg.dependencies ?? {}).toEqual({});
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.every((path) => path.startsWith("dist/"))).toBe(true);
    const gzipped = gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
    console.log(`library entry: ${result.outputFiles[0]?.contents.length} B minified, ${gzipped} B minified+gzipped`);
    expect(gzipped).toBeLessThanOrEqual(LIMIT);
  });
});
