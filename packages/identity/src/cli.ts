#!/usr/bin/env node
import { processIo } from "@restate-connect/cli-kit";
import { run } from "./cli/spec.js";

run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
