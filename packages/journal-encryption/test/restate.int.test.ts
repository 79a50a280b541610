import {
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJournalCodec, generateLocalKey, type JournalCodec, localKeyProvider } from "../src/index.js";
import { type MarkerServices, markerServices } from "./services.js";
import { dumpAllTables, eventually, findMarker, sql } from "./stored-bytes.js";

const MARKER = "PLAINTEXT-MARKER-7f3a9c";
const KEY_MARKER = "VISIBLE-KEY-MARKER-51b2";

/** A codec wrapper that records the sizes the SDK hands to encode/decode. */
function spy(codec: JournalCodec) {
  const sizes = { encode: [] as number[], decode: [] as number[] };
  return {
    sizes,
    codec: {
      encode: (value: Uint8Array) => {
        sizes.encode.push(value.length);
        return codec.encode(value);
      },
      decode: (value: Uint8Array) => {
        sizes.decode.push(value.length);
        return codec.decode(value);
      },
    },
  };
}

describe("against restate-server with the local key provider", () => {
  const keys = { "kek-1": generateLocalKey() };
  const newCodec = () => createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "kek-1" }) });
  let rs: RestateServer;
  let endpoint: ServedEndpoint;
  let services: MarkerServices;
  let serviceCodec: JournalCodec;
  let serviceSpy: ReturnType<typeof spy>;
  let clientCodec: JournalCodec;
  let ingress: clients.Ingress;

  beforeAll(async () => {
    rs = await startRestate();
    services = markerServices(MARKER);
    serviceCodec = await newCodec();
    serviceSpy = spy(serviceCodec);
    endpoint = await serveEndpoint([services.helper, services.vault, services.waiter], {
      journalValueCodecProvider: () => Promise.resolve(serviceSpy.codec),
    });
    await register(rs.adminUrl, endpoint.url);
    clientCodec = await newCodec();
    ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: clientCodec });
  });

  afterAll(async () => {
    await endpoint?.stop();
    await rs?.stop();
  });

  it("stores only ciphertext, survives a service restart mid-invocation, and the client sees plaintext", async () => {
    const key = `${KEY_MARKER}-a`;
    const send = await ingress
      .objectSendClient(services.vault, key)
      .store({ note: `${MARKER} handler input` }, clients.rpc.sendOpts({ idempotencyKey: `${key}-once` }));
    const vault = ingress.objectClient(services.vault, key);
    const awakeableId = await eventually(() => vault.awakeableId());

    // Suspended on the awakeable: everything so far is in Restate's storage.
    const during = await dumpAllTables(rs.adminUrl);
    expect(findMarker(during, MARKER)).toEqual([]);
    expect(findMarker(during, KEY_MARKER).length).toBeGreaterThan(0); // keys stay visible: the scan works
    const stored = (during.get("state") ?? []).find((row) => row.service_key === key && row.key === "secret");
    expect(stored).toBeDefined();
    // The stored state is our envelope: it decodes to the marker with the keys, and only with them.
    const storedBytes = Buffer.from(String(stored?.value), "hex");
    expect(storedBytes.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x52, 0x4a, 0x45]));
    expect(Buffer.from(await (await newCodec()).decode(storedBytes)).toString()).toContain(MARKER);
    expect((during.get("sys_journal") ?? []).some((row) => String(row.entry_type).includes("Run"))).toBe(true);

    // Restart the service process with a fresh codec (new data key, empty caches) on the same port.
    await endpoint.stop();
    const freshCodec = await newCodec();
    endpoint = await serveEndpoint([services.helper, services.vault, services.waiter], {
      journalValueCodecProvider: () => Promise.resolve(freshCodec),
      port: endpoint.port,
    });
    await ingress.resolveAwakeable(awakeableId, `${MARKER} awakeable payload`);
    const result = await ingress.result(send);
    expect(result).toEqual({
      input: `${MARKER} handler input`,
      fromRun: `${MARKER} run result`,
      fromRpc: `${MARKER} rpc parameter | echoed by Helper ${MARKER}`,
      resolved: `${MARKER} awakeable payload`,
      fromState: `${MARKER} state value`,
    });
    // The new process replayed values sealed by the old one: it had to unwrap their data keys.
    expect(freshCodec.stats().unwraps).toBeGreaterThanOrEqual(1);
    expect(freshCodec.stats().decoded).toBeGreaterThan(0);

    const after = await dumpAllTables(rs.adminUrl);
    expect(findMarker(after, MARKER)).toEqual([]);
    expect(findMarker(after, KEY_MARKER).length).toBeGreaterThan(0);
  });

  it("empty buffers: the SDK encodes empty values into envelopes and never hands decode an empty value of its own; a bodiless raw call is refused", async () => {
    serviceSpy.sizes.encode.length = 0;
    serviceSpy.sizes.decode.length = 0;
    // A void handler called through the encoding client: input and output are empty before encoding.
    await endpoint.stop();
    endpoint = await serveEndpoint([services.helper, services.vault, services.waiter], {
      journalValueCodecProvider: () => Promise.resolve(serviceSpy.codec),
      port: endpoint.port,
    });
    expect(await ingress.serviceClient(services.helper).nothing()).toBeUndefined();
    expect(serviceSpy.sizes.encode.filter((n) => n === 0).length).toBeGreaterThanOrEqual(2); // run result + output
    expect(serviceSpy.sizes.decode.every((n) => n > 0)).toBe(true);

    // A caller that does not encode sends an empty body: decode gets 0 bytes and refuses it.
    const raw = await fetch(`${rs.ingressUrl}/Helper/nothing`, { method: "POST" });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toContain("empty value refused");
    expect(serviceSpy.sizes.decode).toContain(0);

    // A plaintext JSON body is refused the same way (allowPlaintext is off).
    const plain = await fetch(`${rs.ingressUrl}/Helper/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("hi"),
    });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain("not an encrypted journal envelope");
  });

  it("a plaintext awakeable result makes the attempt fail and retry, unless asTerminalError maps permanent codec errors", async () => {
    const resolvePlain = (id: string) =>
      fetch(`${rs.ingressUrl}/restate/a/${id}/resolve`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify("not encrypted"),
      });
    const waiter = (key: string) => ingress.objectClient(services.waiter, key);

    const strict = await ingress
      .objectSendClient(services.waiter, "strict")
      .strict(clients.rpc.sendOpts({ idempotencyKey: "strict-once" }));
    expect((await resolvePlain(await eventually(() => waiter("strict").awakeableId()))).status).toBeLessThan(300);
    await expect(ingress.result(strict)).rejects.toThrow(/not an encrypted journal envelope/);

    const lenient = await ingress.objectSendClient(services.waiter, "lenient").lenient();
    expect((await resolvePlain(await eventually(() => waiter("lenient").awakeableId()))).status).toBeLessThan(300);
    const retrying = await eventually(async () => {
      const rows = await sql(
        rs.adminUrl,
        `SELECT status, retry_count, last_failure FROM sys_invocation WHERE id = '${lenient.invocationId}'`,
      );
      const row = rows[0];
      return row && Number(row.retry_count) >= 2 ? row : null;
    });
    expect(String(retrying.last_failure)).toContain("not an encrypted journal envelope");
    expect(retrying.status).not.toBe("completed");
  });
});
