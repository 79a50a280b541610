import { defineCommand } from "@restate-connect/cli-kit";
import { publicKeyFromPem } from "../keys.js";
import { readInputFile } from "./files.js";

export const pubkey = defineCommand({
  name: "pubkey",
  usage: "<key.pem|->",
  args: { min: 1, max: 1 },
  summary: "publickeyv1_ key of a private (PKCS#8) or public (SPKI) PEM",
  details: 'Reads the PEM from the file, or from standard input for "-".',
  async run(context) {
    const publicKey = publicKeyFromPem(await readInputFile(context, "<key.pem>", context.args[0] as string));
    context.print(() => publicKey, { publicKey });
    return undefined;
  },
});
