import { defineCommand, invalidFlag } from "@restate-connect/cli-kit";
import { generateKeyPair } from "../keys.js";
import { FileExistsError, writeSecretFile } from "./files.js";

export const keygen = defineCommand({
  name: "keygen",
  summary: "New Ed25519 key pair for restate-server; prints the publickeyv1_ key",
  options: {
    out: { type: "string", value: "<file>", description: "Write the private key PEM there (new file, mode 0600)" },
    force: { type: "boolean", description: "Replace an existing --out file (a new file is moved into place)" },
  },
  details: [
    "The PEM is what restate-server reads from request-identity-private-key-pem-file; the publickeyv1_",
    "key is what services verify with. Without --out the PEM goes to stdout and the public key to stderr.",
    "--out never writes through a symlink and never keeps the mode of a file it replaces.",
  ].join("\n"),
  run(context) {
    const out = context.flags.string("out");
    const pair = generateKeyPair();
    if (out === undefined) {
      if (context.flags.boolean("force")) throw invalidFlag("force", "needs --out");
      if (context.json) throw invalidFlag("json", "needs --out (the private key is not printed as JSON)");
      context.io.stdout(pair.privateKeyPem.trimEnd());
      context.io.stderr(`public key: ${pair.publicKey}`);
      return undefined;
    }
    try {
      writeSecretFile(out, pair.privateKeyPem, context.flags.boolean("force"));
    } catch (error) {
      if (error instanceof FileExistsError) throw error;
      throw invalidFlag("out", `cannot be written: ${out} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
    context.print(() => pair.publicKey, { publicKey: pair.publicKey, out });
    return undefined;
  },
});
