import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  type MotoServer,
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startMoto,
  startRestate,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64, toHex } from "../src/bytes.js";
import { run } from "../src/cli/run.js";
import { parseEnvelope } from "../src/envelope.js";
import {
  createDecodeHandler,
  createJournalCodec,
  type JournalCodecEvent,
  type JournalCodecOptions,
} from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
import { countingKmsClient } from "./kms-counting.js";
import { type KmsProxy, startKmsProxy } from "./kms-proxy.js";
import { type MarkerServices, markerServices } from "./services.js";
import { dumpAllTables, eventually, findMarker } from "./stored-bytes.js";

const MARKER = "KMS-PLAINTEXT-MARKER-c41d";

describe("against restate-server and moto's KMS", () => {
  let moto: MotoServer;
  let rs: RestateServer;
  let proxy: KmsProxy;
  let endpoint: ServedEndpoint;
  let services: MarkerServices;
  let keyArn: string;
  let keyId: string;
  let admin: KMSClient;

  /** One "process": a codec with its own counted KMS client, and the data keys it has seen. */
  async function kmsProcess(options: Partial<JournalCodecOptions> = {}) {
    const { client, counts } = countingKmsClient({
      endpoint: proxy.url,
      region: moto.region,
      credentials: moto.credentials,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    });
    const events: JournalCodecEvent[] = [];
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: keyArn, client }),
      decodeRetry: { initialDelayMs: 50, maxDelayMs: 500 }, // the default: wait out transient failures
      onEvent: (event) => events.push(event),
      ...options,
    });
    const own = new Set<string>();
    const decoded = new Set<string>();
    const wrappedKeyOf = (value: Uint8Array) => toHex(parseEnvelope(value).wrappedKey);
    const spied = {
      encode: (value: Uint8Array) => {
        const sealed = codec.encode(value);
        own.add(wrappedKeyOf(sealed));
        return sealed;
      },
      decode: (value: Uint8Array) => {
        decoded.add(wrappedKeyOf(value));
        return codec.decode(value);
      },
    };
    const foreignKeys = () => [...decoded].filter((k) => !own.has(k)).length;
    /** Waits until no KMS call is in flight (a background rotation may be running). */
    const settled = () =>
      eventually(async () => {
        const busy = Object.keys(counts.attempted).some(
          (name) => (counts.attempted[name] ?? 0) !== (counts.succeeded[name] ?? 0) + (counts.failed[name] ?? 0),
        );
        return busy ? null : true;
      });
    return { codec, spied, counts, events, foreignKeys, settled };
  }

  let service: Awaited<ReturnType<typeof kmsProcess>>;
  let client: Awaited<ReturnType<typeof kmsProcess>>;
  let ingress: clients.Ingress;

  beforeAll(async () => {
    [moto, rs] = await Promise.all([startMoto(), startRestate()]);
    proxy = await startKmsProxy(moto.endpoint);
    admin = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    const created = await admin.send(new CreateKeyCommand({ Description: "journal-encryption test" }));
    keyArn = created.KeyMetadata?.Arn as string;
    keyId = created.KeyMetadata?.KeyId as string;
    services = markerServices(MARKER);
    // Small limits so rotations and the hard limit happen within a test.
    service = await kmsProcess({
      dataKeyMaxUses: 4,
      dataKeyHardMaxUses: 8,
    });
    endpoint = await serveEndpoint([services.helper, services.vault], {
      journalValueCodecProvider: () => Promise.resolve(service.spied),
    });
    await register(rs.adminUrl, endpoint.url);
    client = await kmsProcess();
    ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: client.spied });
  });

  afterAll(async () => {
    await endpoint?.stop();
    await proxy?.stop();
    await Promise.all([rs?.stop(), moto?.stop()]);
  });

  async function startVault(key: string) {
    const send = await ingress
      .objectSendClient(services.vault, key)
      .store({ note: `${MARKER} input ${key}` }, clients.rpc.sendOpts({ idempotencyKey: `${key}-once` }));
    const awakeableId = await eventually(() => ingress.objectClient(services.vault, key).awakeableId());
    return { send, awakeableId, key };
  }

  const expected = (key: string, resolved: string) => ({
    input: `${MARKER} input ${key}`,
    fromRun: `${MARKER} run result`,
    fromRpc: `${MARKER} rpc parameter | echoed by Helper ${MARKER}`,
    resolved,
    fromState: `${MARKER} state value`,
  });

  it("runs the whole flow with KMS data keys: one GenerateDataKey per rotation, one Decrypt per foreign data key", async () => {
    for (const key of ["flow-1", "flow-2", "flow-3"]) {
      const { send, awakeableId } = await startVault(key);
      await ingress.resolveAwakeable(awakeableId, `${MARKER} resolved ${key}`);
      expect(await ingress.result(send)).toEqual(expected(key, `${MARKER} resolved ${key}`));
    }
    await Promise.all([service.settled(), client.settled()]);
    for (const proc of [service, client]) {
      const stats = proc.codec.stats();
      expect(stats.provider).toBe("aws-kms");
      expect(proc.counts.failed).toEqual({});
      expect(proc.counts.attempted.GenerateDataKey).toBe(1 + stats.rotations);
      expect(proc.counts.attempted.Decrypt ?? 0).toBe(proc.foreignKeys());
    }
    // 3 flows × ≥5 values under dataKeyMaxUses 4: the service rotated several times; the client
    // decoded outputs sealed under several service keys, each unwrapped exactly once.
    expect(service.codec.stats().rotations).toBeGreaterThanOrEqual(2);
    expect(service.counts.attempted.Decrypt).toBeGreaterThanOrEqual(1);
    expect(client.counts.attempted.Decrypt).toBeGreaterThanOrEqual(2);
    expect(findMarker(await dumpAllTables(rs.adminUrl), MARKER)).toEqual([]);
  });

  it("loses nothing while KMS is disabled and unreachable: attempts fail, Restate retries, all complete once KMS is back", async () => {
    const otherClient = await kmsProcess(); // its data key is new to the service: decoding it needs KMS
    const parked = await Promise.all(["outage-1", "outage-2", "outage-3"].map((key) => startVault(key)));
    await service.settled();
    const before = { ...service.counts.failed };

    // 1. The key is disabled.
    await admin.send(new DisableKeyCommand({ KeyId: keyId })); // moto takes the bare id here, not the ARN
    proxy.disableKeyResponses(true);
    const otherIngress = clients.connect({ url: rs.ingressUrl, journalValueCodec: otherClient.spied });
    await otherIngress.resolveAwakeable(parked[0]?.awakeableId as string, `${MARKER} from the other client`);
    await eventually(async () => ((service.counts.failed.Decrypt ?? 0) > (before.Decrypt ?? 0) ? true : null));

    // 2. The network path to KMS is cut as well.
    await proxy.cut();
    await ingress.resolveAwakeable(parked[1]?.awakeableId as string, `${MARKER} resolved outage-2`);
    await ingress.resolveAwakeable(parked[2]?.awakeableId as string, `${MARKER} resolved outage-3`);
    const echoes = Array.from({ length: 12 }, (_, i) =>
      ingress
        .serviceClient(services.helper)
        .echo(`${MARKER} echo ${i}`, clients.rpc.opts({ idempotencyKey: `echo-${i}` })),
    );
    await eventually(async () => (service.events.some((e) => e.type === "data-key-exhausted") ? true : null));
    // Both failure kinds were felt: the disabled key (provider_error) and the cut network
    // (provider_unavailable, from rotation attempts or the retried unwrap).
    const failureCodes = () =>
      new Set(
        service.events.flatMap((e) =>
          e.type === "data-key-generation-failed" || e.type === "unwrap-retry" ? [e.error.code] : [],
        ),
      );
    await eventually(async () => (failureCodes().has("provider_unavailable") ? true : null));
    expect(service.codec.stats().rotationFailures).toBeGreaterThanOrEqual(1);
    expect(service.counts.failed.GenerateDataKey ?? 0).toBeGreaterThanOrEqual(1);

    // 3. KMS comes back.
    await proxy.restore();
    proxy.disableKeyResponses(false);
    await admin.send(new EnableKeyCommand({ KeyId: keyId }));

    expect(await ingress.result(parked[0]?.send as never)).toEqual(
      expected("outage-1", `${MARKER} from the other client`),
    );
    expect(await ingress.result(parked[1]?.send as never)).toEqual(expected("outage-2", `${MARKER} resolved outage-2`));
    expect(await ingress.result(parked[2]?.send as never)).toEqual(expected("outage-3", `${MARKER} resolved outage-3`));
    expect(await Promise.all(echoes)).toEqual(echoes.map((_, i) => `${MARKER} echo ${i} | echoed by Helper ${MARKER}`));

    await service.settled();
    const stats = service.codec.stats();
    // Every successful GenerateDataKey became exactly one key; each foreign key unwrapped once.
    expect(service.counts.succeeded.GenerateDataKey).toBe(1 + stats.rotations);
    expect(service.counts.succeeded.Decrypt).toBe(service.foreignKeys());
    expect(stats.unwrapFailures).toBeGreaterThanOrEqual(1);
    otherClient.codec.close();
  });

  it("an input from a caller the service has never seen survives a short KMS network cut (decode waits, no terminal error)", async () => {
    const newcomer = await kmsProcess(); // a fresh data key: the service must Decrypt it
    const newcomerIngress = clients.connect({ url: rs.ingressUrl, journalValueCodec: newcomer.spied });
    await service.settled();
    const failedBefore = service.counts.failed.Decrypt ?? 0;
    await proxy.cut();
    const call = newcomerIngress.serviceClient(services.helper).echo(`${MARKER} newcomer`);
    await eventually(async () => ((service.counts.failed.Decrypt ?? 0) > failedBefore ? true : null));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await proxy.restore();
    expect(await call).toBe(`${MARKER} newcomer | echoed by Helper ${MARKER}`);
    expect(service.events.some((e) => e.type === "unwrap-retry" && e.error.code === "provider_unavailable")).toBe(true);
    newcomer.codec.close();
  });

  it("operators decode KMS-sealed values with the CLI (kms:Decrypt only) and the decode handler", async () => {
    const sealed = client.codec.encode(new TextEncoder().encode(`${MARKER} for the operator`));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    });
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env: process.env };
      const args = ["decode", toBase64(sealed), "--kms", "--aws-region", moto.region, "--endpoint-url", proxy.url];
      // A version-2 envelope names its key by fingerprint only: the operator says which keys may unwrap.
      const unnamed = await run(args, { ...io, stderr: () => {} });
      expect(unnamed).toBe(2);
      const code = await run([...args, "--allow-key", keyArn], io);
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(out).toEqual([`${MARKER} for the operator`]);
      const refused = await run([...args, "--allow-key", "arn:aws:kms:us-east-1:123456789012:key/not-this-one"], {
        ...io,
        stdout: () => {},
      });
      expect(refused).toBe(1);
      expect(err.join("\n")).toContain("key_not_allowed");
    } finally {
      process.env = saved;
    }
    const handler = createDecodeHandler({
      codec: service.codec,
      authorize: (req) => req.headers.get("x-operator") === "yes",
    });
    const response = await handler(
      new Request("http://decoder/", {
        method: "POST",
        headers: { "x-operator": "yes" },
        body: JSON.stringify({ values: [toBase64(sealed)] }),
      }),
    );
    expect(await response.json()).toEqual({
      results: [{ ok: true, base64: expect.any(String), text: `${MARKER} for the operator` }],
    });
  });
});
