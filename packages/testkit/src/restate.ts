import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePorts } from "./ports.ts";
import { spawnManaged } from "./processes.ts";
import { waitFor } from "./wait.ts";

/** The restate-server version the whole workspace is tested against. */
export const RESTATE_SERVER_VERSION = "1.7.12";

export interface StartRestateOptions {
  /** PKCS#8 PEM of an Ed25519 key: restate-server then signs every request it sends to services. */
  signingKeyPem?: string;
  /** Extra environment variables for the server (e.g. `AWS_ENDPOINT_URL_LAMBDA`). */
  env?: Record<string, string>;
  /**
   * Extra TOML appended to the generated configuration file. The generated file sets only top-level
   * keys and the `[admin]`/`[ingress]` tables; anything else (e.g. `[worker.invoker]`) is yours.
   */
  config?: string;
  /** How long to wait for `/health`. Default 60 s. */
  startupTimeoutMs?: number;
}

export interface RestateServer {
  readonly adminUrl: string;
  readonly ingressUrl: string;
  readonly pid: number;
  readonly baseDir: string;
  /** The tail of the server's log. */
  logs(): string;
  /** Ends the whole process group and removes the temporary base directory. */
  stop(): Promise<void>;
}

/** Path of the restate-server binary shipped by the npm package for this platform. */
export function restateServerBinary(): string {
  const require = createRequire(import.meta.url);
  const wrapper = dirname(require.resolve("@restatedev/restate-server/package.json"));
  const platformPackage = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const pkg = require.resolve(`${platformPackage}/package.json`, { paths: [wrapper] });
  return join(dirname(pkg), "bin", "restate-server");
}

/** Starts a real restate-server on free loopback ports with a fresh temporary base directory. */
export async function startRestate(options: StartRestateOptions = {}): Promise<RestateServer> {
  const baseDir = mkdtempSync(join(tmpdir(), "restate-connect-server-"));
  const [fabricPort, adminPort, ingressPort] = await freePorts(3);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;

  const config = [
    `base-dir = ${JSON.stringify(join(baseDir, "data"))}`,
    `node-name = "testkit"`,
    `cluster-name = "testkit"`,
    `disable-telemetry = true`,
    `listen-mode = "tcp"`,
    `bind-address = "127.0.0.1:${fabricPort}"`,
    `advertised-address = "http://127.0.0.1:${fabricPort}"`,
    // Small footprint: tests run several servers side by side on a 2-core machine.
    `default-num-partitions = 2`,
    `rocksdb-total-memory-size = "256.0 MiB"`,
    `shutdown-timeout = "5s"`,
    `log-format = "compact"`,
    `log-disable-ansi-codes = true`,
    "",
    "[admin]",
    `bind-address = "127.0.0.1:${adminPort}"`,
    `advertised-address = "${adminUrl}"`,
    "",
    "[admin.query-engine]",
    `memory-size = "128.0 MiB"`,
    "",
    "[ingress]",
    `bind-address = "127.0.0.1:${ingressPort}"`,
    `advertised-ingress-endpoint = "${ingressUrl}"`,
    "",
    options.config ?? "",
  ].join("\n");
  const configFile = join(baseDir, "restate.toml");
  writeFileSync(configFile, config);

  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // Never inherit a developer's own Restate settings into the test server.
  for (const key of Object.keys(env)) if (key.startsWith("RESTATE_") && !(key in (options.env ?? {}))) delete env[key];
  if (options.signingKeyPem !== undefined) {
    const keyFile = join(baseDir, "signing-key.pem");
    writeFileSync(keyFile, options.signingKeyPem, { mode: 0o600 });
    env.RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE = keyFile;
  }

  const proc = spawnManaged(restateServerBinary(), ["--config-file", configFile, "--no-logo"], { env, cwd: baseDir });
  let stopped = false;
  const stop = async () => {
    stopped = true;
    await proc.stop();
    rmSync(baseDir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      waitFor(`${adminUrl}/health`, {
        timeoutMs: options.startupTimeoutMs ?? 60_000,
        describeFailure: () => `restate-server log tail:\n${tail(proc.logs())}`,
      }),
      proc.exited.then((code) => {
        if (!stopped) throw new Error(`restate-server exited with code ${code} during startup:\n${tail(proc.logs())}`);
      }),
    ]);
    await waitFor(`${ingressUrl}/restate/health`, {
      timeoutMs: options.startupTimeoutMs ?? 60_000,
      describeFailure: () => `restate-server log tail:\n${tail(proc.logs())}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return { adminUrl, ingressUrl, pid: proc.pid, baseDir, logs: proc.logs, stop };
}

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}
