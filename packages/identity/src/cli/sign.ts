import { CliUsageError, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { JWT_HEADER, SCHEME_HEADER } from "../headers.js";
import { createSigner } from "../sign.js";
import { readInputFile } from "./files.js";

/** A whole number of seconds ≥ `min` from a flag, or a usage error naming the flag. */
export function secondsFlag(flag: string, text: string, min: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min)
    throw invalidFlag(flag, `must be a whole number of seconds ≥ ${min}, got ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/** A curl config file (`curl -K -`): one `header = "…"` line per header; nothing for a shell to split. */
function curlConfig(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `header = ${JSON.stringify(`${name}: ${value}`)}`)
    .join("\n");
}

export const sign = defineCommand({
  name: "sign",
  summary: "Identity headers exactly as restate-server sends them",
  options: {
    key: { type: "string", value: "<key.pem|->", description: "PKCS#8 private key PEM (as given to restate-server)" },
    path: { type: "string", value: "<path>", description: "Request path, the token's audience (/invoke/Svc/handler)" },
    subject: { type: "string", value: "<key>", description: "sub claim: the virtual object / workflow key" },
    expiration: {
      type: "string",
      value: "<seconds>",
      description: "Validity before and after now (default 60, as restate-server)",
    },
    curl: { type: "boolean", description: 'Print a curl config for "curl -K -" instead of header lines' },
  },
  details: [
    "With --curl, pipe the output into curl's config reader (here: the SDK's discovery manifest,",
    "which it serves only behind a passed identity check):",
    "  restate-identity sign --key key.pem --path /discover --curl \\",
    "    | curl -K - http://localhost:9080/discover -H 'accept: application/vnd.restate.endpointmanifest.v3+json'",
  ].join("\n"),
  async run(context) {
    const keyFile = context.flags.string("key");
    const path = context.flags.string("path");
    if (keyFile === undefined) throw new CliUsageError("missing_option", "sign needs --key <key.pem>");
    if (path === undefined) throw new CliUsageError("missing_option", "sign needs --path <path>");
    if (!path.startsWith("/"))
      throw invalidFlag("path", `must start with "/", got ${JSON.stringify(path.slice(0, 80))}`);
    if (context.json && context.flags.boolean("curl")) throw invalidFlag("curl", "cannot be combined with --json");
    const expiration = context.flags.string("expiration");
    const expirationSeconds = expiration === undefined ? undefined : secondsFlag("expiration", expiration, 1);
    const pem = await readInputFile(context, "--key", keyFile);
    const signer = parseFlag("key", () => createSigner({ privateKeyPem: pem, expirationSeconds }));
    const subject = context.flags.string("subject");
    const headers: Record<string, string> = { ...(await signer.sign(path, subject === undefined ? {} : { subject })) };
    context.print(
      () =>
        context.flags.boolean("curl")
          ? curlConfig(headers)
          : [SCHEME_HEADER, JWT_HEADER].map((name) => `${name}: ${headers[name]}`).join("\n"),
      { headers },
    );
    return undefined;
  },
});
