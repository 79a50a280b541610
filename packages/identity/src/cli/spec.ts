import { type CliIo, type CliSpec, runCli } from "@restate-connect/cli-kit";
import { keygen } from "./keygen.js";
import { pubkey } from "./pubkey.js";
import { sign } from "./sign.js";
import { verify } from "./verify.js";

declare const __CLI_VERSION__: string | undefined;

export const spec: CliSpec = {
  name: "restate-identity",
  version: typeof __CLI_VERSION__ === "string" ? __CLI_VERSION__ : "0.0.0-dev",
  summary: "keys and signed requests for Restate request identity",
  commands: [keygen, pubkey, sign, verify],
};

/** Runs one `restate-identity` command line in process and returns the exit code. */
export function run(argv: readonly string[], io: CliIo): Promise<number> {
  return runCli(spec, argv, io);
}
