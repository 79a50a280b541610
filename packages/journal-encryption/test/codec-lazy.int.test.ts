import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
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
import { createJournalCodec, type JournalEncryptionError, lazyJournalCodec } from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
import { type KmsProxy, startKmsProxy } from "./kms-proxy.js";
import { markerServices } from "./services.js";
import { sql } from "./stored-bytes.js";

const MARKER = "LAZY-START-MARKER-90d1";

/**
 * One endpoint process whose KMS is unreachable when it starts: the SDK asks
 * `journalValueCodecProvider` once and keeps the promise, so with `lazyJournalCodec` the process
 * must recover by itself once KMS is back, without a restart.
 */
describe("lazyJournalCodec against restate-server, with moto's KMS unreachable at start", () => {
  let moto: MotoServer;
  let rs: RestateServer;
  let proxy: KmsProxy;
  let endpoint: ServedEndpoint;
  let keyArn: string;

  beforeAll(async () => {
    [moto, rs] = await Promise.all([startMoto(), startRestate()]);
    proxy = await startKmsProxy(moto.endpoint);
    const admin = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
  }, 180_000);
  afterAll(async () => {
    await endpoint?.stop();
    await proxy?.stop();
    await Promise.all([rs?.stop(), moto?.stop()]);
  });

  it("fails nothing for good: invocations wait while KMS is away and complete once it is back", async () => {
    await proxy.cut();
    let creates = 0;
    const failures: JournalEncryptionError[] = [];
    const lazy = lazyJournalCodec(
      () => {
        creates++;
        return createJournalCodec({
          keyProvider: kmsKeyProvider({
            keyId: keyArn,
            client: new KMSClient({
              endpoint: proxy.url,
              region: moto.region,
              credentials: moto.credentials,
              maxAttempts: 1,
              requestHandler: { connectionTimeout: 500, requestTimeout: 2000 },
            }),
          }),
          decodeRetry: { maxAttempts: 1 }, // each start fails fast; lazyJournalCodec starts again
        });
      },
      { onStartFailed: (error) => failures.push(error), decodeWait: { initialDelayMs: 100, maxDelayMs: 500 } },
    );
    const services = markerServices(MARKER);
    endpoint = await serveEndpoint([services.helper], { journalValueCodecProvider: lazy.provider });
    await register(rs.adminUrl, endpoint.url); // discovery never touches KMS
    expect(creates).toBe(0);

    const clientCodec = await createJournalCodec({
      keyProvider: kmsKeyProvider({
        keyId: keyArn,
        client: new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials }),
      }),
    });
    const ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: clientCodec });
    const send = await ingress
      .serviceSendClient(services.helper)
      .echo(`${MARKER} while KMS is away`, clients.rpc.sendOpts({ idempotencyKey: crypto.randomUUID() }));

    // The endpoint keeps trying to start; the invocation is not failed meanwhile.
    const deadline = Date.now() + 20_000;
    while (failures.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.every((error) => error.code === "provider_unavailable")).toBe(true);
    expect(failures[0]?.message).toMatch(/KMS endpoint could not be reached/);
    expect(lazy.started).toBe(false);
    const [row] = await sql(rs.adminUrl, `SELECT status FROM sys_invocation WHERE id = '${send.invocationId}'`);
    expect(row?.status).not.toBe("completed");

    await proxy.restore();
    const result = await ingress.result(send);
    expect(result).toBe(`${MARKER} while KMS is away | echoed by Helper ${MARKER}`);
    expect(lazy.started).toBe(true);
    expect(creates).toBe(failures.length + 1);
  }, 90_000);
});
