// Shared vitest settings for every package: the testkit's global setup (kills anything a crashed
// worker left behind), timeouts sized for real servers, and a JSON report that the root
// `npm test` sums into its closing "N passed, N failed" line.
import { fileURLToPath } from "node:url";

/** @param {import("vitest/config").ViteUserConfig["test"]} [test] */
export function testkitPreset(test = {}) {
  return {
    test: {
      globalSetup: [fileURLToPath(new URL("./src/global-setup.ts", import.meta.url))],
      include: ["test/**/*.test.ts"],
      // Two workers even on a 2-core machine, so that parallel files really overlap.
      maxWorkers: 2,
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ["default", ["json", { outputFile: ".reports/vitest.json" }]],
      // The SDK logs every invocation at INFO; keep test output readable.
      env: { RESTATE_LOGGING: "WARN" },
      ...test,
    },
  };
}
