import { testkitPreset } from "@restate-connect/testkit/vitest-preset";
import { defineConfig } from "vitest/config";

// One file at a time: the demo test may rebuild the packages' dist/ (when their sources changed),
// which must not happen while another file of this package is loading them.
export default defineConfig(testkitPreset({ fileParallelism: false }));
