import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type ManagedProcess, spawnManaged } from "./processes.ts";
import { waitFor } from "./wait.ts";

/**
 * What one restate-server process needs, whether it runs alone (`startRestate`) or as one node of a
 * cluster (`startRestateCluster`): its configuration file, an environment without the developer's own
 * Restate settings, the signing key file, and the wait until its admin and ingress answer.
 */
export interface RestateNodeSettings {
  /** The node's own directory: its configuration, its key file and (under `data/`) its storage. */
  dir: string;
  nodeName: string;
  clusterName: string;
  fabricPort: number;
  adminPort: number;
  ingressPort: number;
  /** Default 2. */
  partitions?: number;
  /** RocksDB's total memory (MiB). Default 256. */
  rocksdbMemoryMib?: number;
  /** The admin SQL engine's memory (MiB). Default 128. */
  queryMemoryMib?: number;
  /** Extra top-level TOML lines (before any table). */
  topLevel?: string[];
  /** TOML appended at the end (tables of its own). */
  tables?: string;
}

export const loopbackUrl = (port: number): string => `http://127.0.0.1:${port}`;

/** Path of the restate-server binary shipped by the npm package for this platform. */
export function restateServerBinary(): string {
  const require = createRequire(import.meta.url);
  const wrapper = dirname(require.resolve("@restatedev/restate-server/package.json"));
  const platformPackage = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const pkg = require.resolve(`${platformPackage}/package.json`, { paths: [wrapper] });
  return join(dirname(pkg), "bin", "restate-server");
}

/** Writes `<dir>/restate.toml` and returns its path. Memory settings are small: tests run several servers side by side. */
export function writeRestateConfig(settings: RestateNodeSettings): string {
  const adminUrl = loopbackUrl(settings.adminPort);
  const ingressUrl = loopbackUrl(settings.ingressPort);
  const config = [
    `base-dir = ${JSON.stringify(join(settings.dir, "data"))}`,
    `node-name = ${JSON.stringify(settings.nodeName)}`,
    `cluster-name = ${JSON.stringify(settings.clusterName)}`,
    `disable-telemetry = true`,
    `listen-mode = "tcp"`,
    `bind-address = "127.0.0.1:${settings.fabricPort}"`,
    `advertised-address = "${loopbackUrl(settings.fabricPort)}"`,
    `default-num-partitions = ${settings.partitions ?? 2}`,
    `rocksdb-total-memory-size = "${(settings.rocksdbMemoryMib ?? 256).toFixed(1)} MiB"`,
    `shutdown-timeout = "5s"`,
    `log-format = "compact"`,
    `log-disable-ansi-codes = true`,
    ...(settings.topLevel ?? []),
    "",
    "[admin]",
    `bind-address = "127.0.0.1:${settings.adminPort}"`,
    `advertised-address = "${adminUrl}"`,
    "",
    "[admin.query-engine]",
    `memory-size = "${(settings.queryMemoryMib ?? 128).toFixed(1)} MiB"`,
    "",
    "[ingress]",
    `bind-address = "127.0.0.1:${settings.ingressPort}"`,
    `advertised-ingress-endpoint = "${ingressUrl}"`,
    "",
    settings.tables ?? "",
  ].join("\n");
  const file = join(settings.dir, "restate.toml");
  writeFileSync(file, config);
  return file;
}

/**
 * The server's environment: the caller's `env` on top of ours, with every other `RESTATE_*` variable
 * removed (a developer's own Restate settings must not leak into a test server). With a signing key,
 * the key is written to `<dir>/signing-key.pem` (mode 600) and the server signs every request with it.
 */
export function restateEnv(dir: string, signingKeyPem?: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith("RESTATE_") && !(key in extra)) delete env[key];
  if (signingKeyPem !== undefined) {
    const keyFile = join(dir, "signing-key.pem");
    writeFileSync(keyFile, signingKeyPem, { mode: 0o600 });
    env.RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE = keyFile;
  }
  return env;
}

export function spawnRestateServer(configFile: string, env: NodeJS.ProcessEnv, cwd: string): ManagedProcess {
  return spawnManaged(restateServerBinary(), ["--config-file", configFile, "--no-logo"], { env, cwd });
}

/**
 * Waits until the server's admin `/health` and ingress `/restate/health` answer; fails at once, with
 * the log tail, if the process exits first (unless `stopped()` says we ended it ourselves).
 */
export async function waitForRestateHealth(
  proc: ManagedProcess,
  urls: { adminUrl: string; ingressUrl: string },
  timeoutMs: number,
  stopped: () => boolean = () => false,
): Promise<void> {
  const describeFailure = () => `restate-server log tail:\n${logTail(proc.logs())}`;
  let started = false;
  const exitedEarly = proc.exited.then((code) => {
    if (!started && !stopped()) {
      throw new Error(`restate-server exited with code ${code} during startup:\n${logTail(proc.logs())}`);
    }
  });
  try {
    await Promise.race([
      (async () => {
        await waitFor(`${urls.adminUrl}/health`, { timeoutMs, describeFailure });
        await waitFor(`${urls.ingressUrl}/restate/health`, { timeoutMs, describeFailure });
      })(),
      exitedEarly,
    ]);
  } finally {
    started = true;
  }
}

export function logTail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}
