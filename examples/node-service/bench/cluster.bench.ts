/**
 * `npm run bench:cluster`: what request identity and journal encryption cost a user end to end, on a
 * 3-node replicated cluster. The same virtual object (`customer`: saveProfile writes state, profile
 * reads it) is deployed twice side by side: (a) behind the identity check with the journal codec on
 * service and client, (b) with neither (a copy named `customer_plain`). Rounds of each alternate
 * (a, b, a, b, …) in one run on one cluster, so both see the same machine; the first round of each is
 * warm-up. Prints invocations/s and p50/p99 latency per variant and the ratio (a)/(b); target ≥ 0.9.
 *
 * The cluster signs every request (it cannot sign for one deployment only), so signing on the Restate
 * side is in both variants; what differs is the verification in the service and the codec on both sides.
 *
 *   npm run bench:cluster [-- --rounds 8 --round-seconds 3 --concurrency 8]
 */
import { randomBytes } from "node:crypto";
import { createServer, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { parseArgs } from "node:util";
import { createAdminClient } from "@restate-connect/admin-client";
import { generateKeyPair } from "@restate-connect/identity";
import { listenOnLoopback, startRestateCluster } from "@restate-connect/testkit";
import { createEndpointHandler } from "@restatedev/restate-sdk";
import * as clients from "@restatedev/restate-sdk-clients";
import { createCodec } from "../src/codec.ts";
import { createServiceHandler } from "../src/handler.ts";
import { type CustomerProfile, customer } from "../src/services.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "8" },
    "round-seconds": { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
  },
});
const rounds = positive("rounds", values.rounds);
const roundMs = positive("round-seconds", values["round-seconds"]) * 1000;
const concurrency = positive("concurrency", values.concurrency);

function positive(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench:cluster: --${flag} must be a positive integer\n`);
    process.exit(2);
  }
  return n;
}

// The plain variant: the same handlers under another name, without identity check or codec.
const plainCustomer = { ...customer, name: "customer_plain" } as unknown as typeof customer;

interface Variant {
  label: string;
  service: { name: string };
  client: (url: string) => clients.Ingress;
  latencies: number[];
  invocations: number;
  busyMs: number;
  /** invocations/s of each measured round, in order. */
  perRound: number[];
  /** CPU time of this process (the client and both services; not the cluster) during measured rounds, µs. */
  cpuMicros: number;
}

async function runRound(variant: Variant, ingressUrls: readonly string[], round: number, measure: boolean) {
  const connections = ingressUrls.map((url) => variant.client(url));
  const deadline = performance.now() + roundMs;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let invocations = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const ingress = connections[(worker + i) % connections.length] as clients.Ingress;
        const key = `bench-${round}-${worker}-${i}`;
        const profile: CustomerProfile = {
          name: `Bench ${i}`,
          email: `b${i}@example.com`,
          cardNumber: "4242424242424242",
        };
        const object = ingress.objectClient(variant.service as typeof customer, key);
        let t = performance.now();
        await object.saveProfile(profile);
        latencies.push(performance.now() - t);
        t = performance.now();
        const read = await object.profile();
        latencies.push(performance.now() - t);
        if (read.cardNumber !== profile.cardNumber) throw new Error(`${variant.label}: read back a different profile`);
        invocations += 2;
      }
    }),
  );
  if (measure) {
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    variant.cpuMicros += cpu.user + cpu.system;
    variant.invocations += invocations;
    variant.busyMs += elapsed;
    variant.latencies.push(...latencies);
    variant.perRound.push(invocations / (elapsed / 1000));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const signing = generateKeyPair();
  const journalKey = randomBytes(32).toString("base64");
  process.stderr.write("starting a 3-node cluster (replication 2)…\n");
  const cluster = await startRestateCluster({ nodes: 3, replication: 2, signingKeyPem: signing.privateKeyPem });
  const stops: Array<() => Promise<void>> = [() => cluster.stop()];
  try {
    const serviceCodec = await createCodec({ provider: "local", keys: { bench: journalKey }, activeKeyId: "bench" });
    const clientCodec = await createCodec({ provider: "local", keys: { bench: journalKey }, activeKeyId: "bench" });
    stops.push(async () => {
      serviceCodec.close();
      clientCodec.close();
    });
    // What a user following the identity README runs: withIdentity in front of the SDK, which then
    // does not verify the same token a second time (see sdkChecksToo).
    const secured = createServiceHandler({
      identityKeys: [signing.publicKey],
      codec: serviceCodec,
      sdkChecksToo: false,
    });
    const plain = createEndpointHandler({ services: [plainCustomer] }) as (
      request: Http2ServerRequest,
      response: Http2ServerResponse,
    ) => void;
    const securedListener = await listenOnLoopback(createServer(secured));
    const plainListener = await listenOnLoopback(createServer(plain));
    stops.push(securedListener.close, plainListener.close);

    const admin = createAdminClient({ baseUrl: cluster.adminUrls[0] as string });
    await admin.deployments.register({ uri: securedListener.url }, { force: true });
    await admin.deployments.register({ uri: plainListener.url }, { force: true });
    // Let the registrations reach every node's ingress.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const variants: Variant[] = [
      {
        label: "(a) identity + encryption",
        service: customer,
        client: (url) => clients.connect({ url, journalValueCodec: clientCodec }),
        latencies: [],
        invocations: 0,
        busyMs: 0,
        perRound: [],
        cpuMicros: 0,
      },
      {
        label: "(b) neither",
        service: plainCustomer,
        client: (url) => clients.connect({ url }),
        latencies: [],
        invocations: 0,
        busyMs: 0,
        perRound: [],
        cpuMicros: 0,
      },
    ];
    for (let round = 0; round <= rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        process.stderr.write(`${round === 0 ? "warm-up" : `round ${round}/${rounds}`}: ${variant.label}\n`);
        await runRound(variant, cluster.ingressUrls, round, round > 0);
      }
    }

    const rows = variants.map((v) => {
      const sorted = [...v.latencies].sort((x, y) => x - y);
      return {
        variant: v.label,
        "invocations/s": v.invocations / (v.busyMs / 1000),
        "p50 ms": percentile(sorted, 50),
        "p99 ms": percentile(sorted, 99),
        "cpu µs/inv": v.cpuMicros / v.invocations,
        invocations: v.invocations,
      };
    });
    const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
    console.log(
      `cluster: 3 nodes, replication 2; ${rounds} interleaved rounds of ${roundMs / 1000} s per variant, concurrency ${concurrency}`,
    );
    for (const row of rows) {
      console.log(
        `${row.variant.padEnd(28)} ${row["invocations/s"].toFixed(1).padStart(8)} inv/s   p50 ${row["p50 ms"].toFixed(1).padStart(6)} ms   p99 ${row["p99 ms"].toFixed(1).padStart(6)} ms   client+service CPU ${row["cpu µs/inv"].toFixed(0).padStart(5)} µs/inv   (${row.invocations} invocations)`,
      );
    }
    const ratio = a["invocations/s"] / b["invocations/s"];
    // Each round of (a) is paired with the round of (b) right next to it: the median of those ratios
    // is what survives a machine whose load drifts during the run.
    const [va, vb] = variants as [Variant, Variant];
    const paired = va.perRound.map((x, i) => x / (vb.perRound[i] as number)).sort((x, y) => x - y);
    const median = paired[Math.floor(paired.length / 2)] as number;
    console.log(
      `ratio (a)/(b): throughput ${ratio.toFixed(3)} overall, ${median.toFixed(3)} median of ${paired.length} paired rounds ` +
        `(${paired.map((r) => r.toFixed(2)).join(" ")}); p50 ${(a["p50 ms"] / b["p50 ms"]).toFixed(3)}, p99 ${(a["p99 ms"] / b["p99 ms"]).toFixed(3)}`,
    );
    console.log(`target (a)/(b) ≥ 0.9: ${median >= 0.9 ? "met" : "NOT met"} (median paired ratio)`);
    console.log(
      `client+service CPU per invocation (a)/(b): ${(a["cpu µs/inv"] / b["cpu µs/inv"]).toFixed(3)} ` +
        `(+${(a["cpu µs/inv"] - b["cpu µs/inv"]).toFixed(0)} µs: what identity and encryption cost this process)`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
