import { testkitPreset } from "@restate-connect/testkit/vitest-preset";
import { defineConfig } from "vitest/config";

export default defineConfig(testkitPreset());
