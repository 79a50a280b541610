#!/usr/bin/env node
import { runCli } from "./cli/run.js";

declare const __CLI_VERSION__: string | undefined;
const version = typeof __CLI_VERSION__ === "string" ? __CLI_VERSION__ : "0.0.0-dev";

runCli(
  process.argv.slice(2),
  process.env,
  {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  },
  version,
).then((code) => {
  process.exitCode = code;
});
