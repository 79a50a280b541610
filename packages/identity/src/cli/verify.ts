import { CliUsageError, defineCommand, EXIT, parseFlag } from "@restate-connect/cli-kit";
import type { RejectionCode } from "../errors.js";
import { JWT_HEADER, SCHEME_HEADER } from "../headers.js";
import { createVerifier } from "../verify.js";
import { secondsFlag } from "./sign.js";

/** The token was checked and refused: exit 1, the rejection code on the error line. */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
  readonly retryable = false;
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

export const verify = defineCommand({
  name: "verify",
  summary: "Check a token like a service would and explain the result",
  options: {
    key: { type: "string", multiple: true, value: "<publickeyv1_…>", description: "Accepted public key" },
    path: { type: "string", value: "<path>", description: "Request path the token is meant for" },
    token: { type: "string", value: "<jwt>", description: "The x-restate-jwt-v1 header value" },
    "clock-tolerance": { type: "string", value: "<seconds>", description: "Tolerated clock skew (default 0)" },
  },
  details: 'Exit code 0 when accepted; 1 when rejected, with the reason as "error [<code>]".',
  async run(context) {
    const keys = context.flags.strings("key");
    const path = context.flags.string("path");
    const token = context.flags.string("token");
    if (keys.length === 0) throw new CliUsageError("missing_option", "verify needs --key <publickeyv1_…>");
    if (path === undefined) throw new CliUsageError("missing_option", "verify needs --path <path>");
    if (token === undefined) throw new CliUsageError("missing_option", "verify needs --token <jwt>");
    const tolerance = context.flags.string("clock-tolerance");
    const verifier = parseFlag("key", () =>
      createVerifier({
        keys,
        clockToleranceSeconds: tolerance === undefined ? 0 : secondsFlag("clock-tolerance", tolerance, 0),
        cache: false,
      }),
    );
    const result = await verifier.verify({ [SCHEME_HEADER]: "v1", [JWT_HEADER]: token }, path);
    if (!result.ok) throw new TokenRejectedError(result.code, result.message);
    if (!result.signed) return EXIT.failed; // unreachable: the scheme is always v1 here
    const seconds = Math.floor(Date.now() / 1000);
    const { claims } = result;
    context.print(
      () =>
        [
          "accepted",
          `  signed by  ${result.keyId}`,
          `  audience   ${claims.aud}`,
          `  valid      ${seconds - claims.nbf} s since nbf, expires in ${claims.exp - seconds} s`,
          ...(claims.sub === undefined ? [] : [`  subject    ${claims.sub}`]),
        ].join("\n"),
      { accepted: true, keyId: result.keyId, claims },
    );
    return EXIT.ok;
  },
});
