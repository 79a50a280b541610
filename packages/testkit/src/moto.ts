import { freePort } from "./ports.ts";
import { spawnManaged } from "./processes.ts";
import { pythonTool } from "./python.ts";
import { waitFor } from "./wait.ts";

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 — use as `endpoint` of any AWS SDK client. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly pid: number;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Default us-east-1. */
  region?: string;
  startupTimeoutMs?: number;
}

/** Starts moto's server (the AWS emulator) on a free loopback port; serves KMS, STS, IAM and more. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const bin = await pythonTool("moto_server");
  const port = await freePort();
  const region = options.region ?? "us-east-1";
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  const proc = spawnManaged(bin, ["-H", "127.0.0.1", "-p", String(port)], {
    env: {
      ...process.env,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${endpoint}/moto-api/`, {
      timeoutMs: options.startupTimeoutMs ?? 60_000,
      describeFailure: () => `moto log tail:\n${proc.logs().slice(-4000)}`,
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { endpoint, region, credentials, pid: proc.pid, logs: proc.logs, stop: proc.stop };
}
