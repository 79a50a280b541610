import { fileURLToPath } from "node:url";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { createAdminClient } from "@restate-connect/admin-client";
import { SETTINGS } from "@restate-connect/example-service-settings";
import { generateKeyPair } from "@restate-connect/identity";
import {
  freePort,
  type ManagedProcess,
  type MotoServer,
  type RestateServer,
  spawnManaged,
  startMoto,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { hexToBytes } from "../demo/stored-data.ts";
import { createCodec } from "../src/codec.ts";
import type { EncryptionConfig } from "../src/config.ts";

const SERVER = fileURLToPath(new URL("../src/server.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("../src/client.ts", import.meta.url));
const NODE_FLAGS = ["--disable-warning=ExperimentalWarning"];

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RESTATE_LOGGING: "WARN" };
  for (const name of [...Object.values(SETTINGS), "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_KMS"]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Waits for `condition`, failing at once (with the process's output) if the process exits first. */
async function until(condition: () => boolean, timeoutMs: number, process: ManagedProcess): Promise<void> {
  let exited = false;
  void process.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (exited || Date.now() > deadline) {
      throw new Error(`${exited ? "the process exited" : "timed out"}; its output:\n${process.logs()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startService(env: NodeJS.ProcessEnv): ManagedProcess {
  const service = spawnManaged(process.execPath, [...NODE_FLAGS, SERVER], { env });
  onTestFinished(() => service.stop());
  return service;
}

describe("the service process", () => {
  it("refuses to start without identity keys (fail closed), naming the missing setting", async () => {
    const service = startService(
      baseEnv({ PORT: String(await freePort()), JOURNAL_KEYS: `k1=${Buffer.alloc(32).toString("base64")}` }),
    );
    expect(await service.exited).toBe(1);
    const line = JSON.parse(service.logs().trim().split("\n").at(-1) ?? "{}");
    expect(line).toMatchObject({ event: "startup_failed", code: "missing_identity_keys" });
    expect(line.message).toContain("RESTATE_IDENTITY_KEYS");
  });

  it("refuses to start with a malformed identity key", async () => {
    const service = startService(
      baseEnv({
        PORT: String(await freePort()),
        RESTATE_IDENTITY_KEYS: "publickeyv1_notbase58!",
        JOURNAL_KEYS: `k1=${Buffer.alloc(32).toString("base64")}`,
      }),
    );
    expect(await service.exited).toBe(1);
    expect(service.logs()).toContain('"event":"startup_failed"');
    expect(service.logs()).not.toContain('"event":"listening"');
  });
});

describe("with KMS (moto) instead of a local key", () => {
  let moto: MotoServer;
  let restate: RestateServer;
  let keyId: string;
  let publicKey: string;

  beforeAll(async () => {
    const pair = generateKeyPair();
    publicKey = pair.publicKey;
    [moto, restate] = await Promise.all([startMoto(), startRestate({ signingKeyPem: pair.privateKeyPem })]);
    const kms = new KMSClient({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
    keyId = (await kms.send(new CreateKeyCommand({ Description: "node-service journal" }))).KeyMetadata?.KeyId ?? "";
    kms.destroy();
  });
  afterAll(async () => {
    await Promise.all([restate?.stop(), moto?.stop()]);
  });

  it("the service and the client encrypt with KMS data keys when JOURNAL_KMS_KEY_ID and AWS settings are present", async () => {
    const port = await freePort();
    const aws = {
      JOURNAL_KMS_KEY_ID: keyId,
      AWS_REGION: moto.region,
      AWS_ENDPOINT_URL_KMS: moto.endpoint,
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    };
    const service = startService(baseEnv({ ...aws, PORT: String(port), RESTATE_IDENTITY_KEYS: publicKey }));
    await until(() => service.logs().includes('"event":"listening"'), 20_000, service);
    expect(service.logs()).toContain('"encryption":"kms"');

    const admin = createAdminClient({ baseUrl: restate.adminUrl });
    const registered = await admin.deployments.register({ uri: `http://127.0.0.1:${port}` }, { force: true });
    expect(registered.services.map((svc) => svc.name).sort()).toEqual(["customer", "payment"]);

    const client = spawnManaged(process.execPath, [...NODE_FLAGS, CLIENT, "grace", "pay-kms-1"], {
      env: baseEnv({ ...aws, RESTATE_INGRESS_URL: restate.ingressUrl }),
    });
    onTestFinished(() => client.stop());
    expect(await client.exited, client.logs()).toBe(0);
    const output = JSON.parse(client.logs().slice(client.logs().indexOf("{")));
    expect(output.receipt).toMatchObject({ paymentId: "pay-kms-1", customer: "Ada Lovelace", cardLast4: "4242" });

    // What Restate stored opens with the KMS key, and not with some local key.
    const [row] = await admin.query<{ value: string }>(
      "SELECT value FROM state WHERE service_name = 'customer' AND service_key = 'grace' AND key = 'profile'",
    );
    const stored = hexToBytes(row?.value ?? "");
    expect(Buffer.from(stored).includes(Buffer.from("4242424242424242"))).toBe(false);
    const kmsConfig: EncryptionConfig = {
      provider: "kms",
      keyId,
      allowedKeyIds: undefined,
      region: moto.region,
      endpoint: moto.endpoint,
    };
    // The codec takes AWS credentials from the environment, as in production.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    onTestFinished(() => {
      restoreEnv("AWS_ACCESS_KEY_ID", saved.id);
      restoreEnv("AWS_SECRET_ACCESS_KEY", saved.secret);
    });
    const kmsCodec = await createCodec(kmsConfig);
    const localCodec = await createCodec({
      provider: "local",
      keys: { "local-1": Buffer.alloc(32, 1).toString("base64") },
      activeKeyId: "local-1",
    });
    try {
      const profile = JSON.parse(Buffer.from(await kmsCodec.decode(stored)).toString("utf8"));
      expect(profile).toEqual({ name: "Ada Lovelace", email: "ada@example.com", cardNumber: "4242424242424242" });
      await expect(localCodec.decode(stored)).rejects.toThrow();
    } finally {
      kmsCodec.close();
      localCodec.close();
    }
  });
});
