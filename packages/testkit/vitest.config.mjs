import { defineConfig } from "vitest/config";
import { testkitPreset } from "./vitest.preset.mjs";

export default defineConfig(testkitPreset());
