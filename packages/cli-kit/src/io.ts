/** Where a CLI reads and writes; injected so tests run it in process. */
export interface CliIo {
  /** One chunk of standard output; a newline is added. */
  stdout(text: string): void;
  /** One chunk of standard error; a newline is added. */
  stderr(text: string): void;
  /** The environment the CLI reads settings and secrets from. */
  env: Readonly<Record<string, string | undefined>>;
  /** All of standard input (for `-` arguments); absent where there is none. */
  stdin?(): Promise<Uint8Array>;
}

/** The process's own standard streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    stdin: async () => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}

/** Exit codes, the same in every restate-connect CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
