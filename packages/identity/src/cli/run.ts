import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { IdentityError } from "../errors.js";
import { generateKeyPair, publicKeyFromPem } from "../keys.js";
import { createSigner } from "../sign.js";
import { createVerifier, JWT_HEADER, SCHEME_HEADER } from "../verify.js";

/** Where the CLI writes; injected so tests can run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 success/accepted, 1 failure/rejected, 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const HELP: Record<string, string> = {
  main: `restate-identity — keys and signed requests for Restate request identity

Usage: restate-identity <command> [options]

Commands:
  keygen [--out key.pem]                 new Ed25519 key pair; prints the publickeyv1_ key
  pubkey <key.pem>                       publickeyv1_ key of a private (PKCS#8) or public (SPKI) PEM
  sign --key key.pem --path <path>       headers exactly as restate-server sends them
  verify --key <publickeyv1_…> --path <path> --token <jwt>
                                         explains why a token is accepted or rejected

Run "restate-identity <command> --help" for details.
`,
  keygen: `Usage: restate-identity keygen [--out key.pem] [--force]

Generates an Ed25519 key pair for restate-server's request-identity-private-key-pem-file.
  --out <file>   write the private key PEM there (mode 0600) and print only the public key;
                 without --out the PEM goes to stdout and the public key to stderr
  --force        overwrite an existing --out file
`,
  pubkey: `Usage: restate-identity pubkey <key.pem>

Prints the publickeyv1_… form of a PKCS#8 private key PEM or an SPKI public key PEM ("-" reads stdin).
`,
  sign: `Usage: restate-identity sign --key key.pem --path /invoke/Service/handler [--subject s] [--expiration 60] [--curl]

Prints the two identity headers restate-server would send for a request to --path.
  --curl          print a ready "-H … -H …" fragment for curl instead of header lines
  --subject <s>   add a sub claim
  --expiration n  seconds before/after now the token is valid (default 60, as restate-server)
`,
  verify: `Usage: restate-identity verify --key publickeyv1_… [--key …] --path <path> --token <jwt> [--clock-tolerance s]

Checks a token like a service would and explains the result. Exit code 0 when accepted, 1 when rejected.
`,
};

function readText(file: string): string {
  return readFileSync(file === "-" ? 0 : file, "utf8");
}

async function keygen(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { out: { type: "string" }, force: { type: "boolean" } },
    strict: true,
  });
  const pair = generateKeyPair();
  if (values.out === undefined) {
    io.out(pair.privateKeyPem);
    io.err(`public key: ${pair.publicKey}\n`);
    return EXIT.ok;
  }
  try {
    writeFileSync(values.out, pair.privateKeyPem, { mode: 0o600, flag: values.force ? "w" : "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.err(
      code === "EEXIST"
        ? `${values.out} already exists; use --force to overwrite it\n`
        : `cannot write ${values.out}: ${code ?? "error"}\n`,
    );
    return EXIT.failed;
  }
  io.out(`${pair.publicKey}\n`);
  return EXIT.ok;
}

async function pubkey(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) {
    io.err(HELP.pubkey as string);
    return EXIT.usage;
  }
  io.out(`${publicKeyFromPem(readText(positionals[0] as string))}\n`);
  return EXIT.ok;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function sign(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: "string" },
      path: { type: "string" },
      subject: { type: "string" },
      expiration: { type: "string" },
      curl: { type: "boolean" },
    },
    strict: true,
  });
  if (values.key === undefined || values.path === undefined) {
    io.err(HELP.sign as string);
    return EXIT.usage;
  }
  const expirationSeconds = values.expiration === undefined ? undefined : Number(values.expiration);
  const signer = createSigner({ privateKeyPem: readText(values.key), expirationSeconds });
  const headers = await signer.sign(values.path, values.subject === undefined ? {} : { subject: values.subject });
  const lines = [SCHEME_HEADER, JWT_HEADER].map((name) => `${name}: ${headers[name as keyof typeof headers]}`);
  io.out(values.curl ? `${lines.map((line) => `-H ${shellQuote(line)}`).join(" ")}\n` : `${lines.join("\n")}\n`);
  return EXIT.ok;
}

async function verify(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: "string", multiple: true },
      path: { type: "string" },
      token: { type: "string" },
      "clock-tolerance": { type: "string" },
    },
    strict: true,
  });
  if (!values.key?.length || values.path === undefined || values.token === undefined) {
    io.err(HELP.verify as string);
    return EXIT.usage;
  }
  const tolerance = values["clock-tolerance"];
  const verifier = createVerifier({
    keys: values.key,
    clockToleranceSeconds: tolerance === undefined ? 0 : Number(tolerance),
    cache: false,
  });
  const result = await verifier.verify({ [SCHEME_HEADER]: "v1", [JWT_HEADER]: values.token }, values.path);
  if (!result.ok) {
    io.out(`rejected (${result.code}): ${result.message}\n`);
    return EXIT.failed;
  }
  if (!result.signed) return EXIT.failed; // unreachable: verify always sends scheme v1
  const seconds = Math.floor(Date.now() / 1000);
  const { claims } = result;
  io.out(
    [
      "accepted",
      `  signed by  ${result.keyId}`,
      `  audience   ${claims.aud}`,
      `  valid      ${seconds - claims.nbf} s since nbf, expires in ${claims.exp - seconds} s`,
      ...(claims.sub === undefined ? [] : [`  subject    ${claims.sub}`]),
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = { keygen, pubkey, sign, verify };

/**
 * Runs the `restate-identity` command line and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(["pubkey", "key.pem"], { out: console.log, err: console.error });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP.main as string);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`unknown command "${command}"\n\n${HELP.main}`);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(HELP[command] as string);
    return EXIT.ok;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof IdentityError) {
      io.err(`error (${error.code}): ${error.message}\n`);
      return EXIT.failed;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${(error as Error).message}\n\n${HELP[command]}`);
      return EXIT.usage;
    }
    if (typeof code === "string") {
      io.err(`error (${code}): ${(error as Error).message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}
