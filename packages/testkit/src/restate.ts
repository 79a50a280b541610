import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.ts";
import {
  loopbackUrl,
  restateEnv,
  spawnRestateServer,
  waitForRestateHealth,
  writeRestateConfig,
} from "./restate-process.ts";

export { restateServerBinary } from "./restate-process.ts";

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

/** Starts a real restate-server on free loopback ports with a fresh temporary base directory. */
export async function startRestate(options: StartRestateOptions = {}): Promise<RestateServer> {
  const baseDir = mkdtempSync(join(tmpdir(), "restate-connect-server-"));
  const [fabricPort, adminPort, ingressPort] = (await freePorts(3)) as [number, number, number];
  const adminUrl = loopbackUrl(adminPort);
  const ingressUrl = loopbackUrl(ingressPort);
  const configFile = writeRestateConfig({
    dir: baseDir,
    nodeName: "testkit",
    clusterName: "testkit",
    fabricPort,
    adminPort,
    ingressPort,
    tables: options.config,
  });
  const env = restateEnv(baseDir, options.signingKeyPem, options.env);

  const proc = spawnRestateServer(configFile, env, baseDir);
  let stopped = false;
  const stop = async () => {
    stopped = true;
    await proc.stop();
    rmSync(baseDir, { recursive: true, force: true });
  };

  try {
    await waitForRestateHealth(proc, { adminUrl, ingressUrl }, options.startupTimeoutMs ?? 60_000, () => stopped);
  } catch (error) {
    await stop();
    throw error;
  }

  return { adminUrl, ingressUrl, pid: proc.pid, baseDir, logs: proc.logs, stop };
}
