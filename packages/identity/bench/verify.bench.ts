// Verification cost side by side, in one process, as ratios against raw `crypto.verify` with a
// cached KeyObject (the limit for any JWT verifier on Node). Build first: `npm run build`.
//   npm run bench -w @restate-connect/identity   (BENCH_ROUNDS=7, BENCH_MS=300 per case per round)
// Cost is measured in process CPU time (all threads: Web Crypto and jose verify on libuv's pool),
// not wall time: on a shared machine the scheduler favours whatever sleeps often, which makes
// async verifiers look faster than they are. Cases run interleaved, round after round, and each
// keeps its best round. Wall-clock throughput is printed alongside for reference.
import { createPrivateKey, createPublicKey, verify as cryptoVerify } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { importSPKI, jwtVerify } from "jose";
import { createSigner, createVerifier, generateKeyPair } from "../dist/index.js";

const BENCH_MS = Number(process.env.BENCH_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PATH = "/invoke/Greeter/greet";

// A token exactly in restate-server's format (header {typ, alg, kid}; claims aud, exp, iat, nbf).
const { privateKeyPem, publicKey } = generateKeyPair();
const signer = createSigner({ privateKeyPem, expirationSeconds: 600 });
const headers = await signer.sign(PATH);
const token = headers["x-restate-jwt-v1"];
const signingInput = Buffer.from(token.slice(0, token.lastIndexOf(".")));
const signature = Buffer.from(token.slice(token.lastIndexOf(".") + 1), "base64url");
const keyObject = createPublicKey(createPrivateKey(privateKeyPem));
const joseKey = await importSPKI(keyObject.export({ format: "pem", type: "spki" }).toString(), "EdDSA");

const uncached = createVerifier({ keys: [publicKey], cache: false });
const cached = createVerifier({ keys: [publicKey] });
const noble = createVerifier({ keys: [publicKey], cache: false, crypto: "noble" });
const webcrypto = createVerifier({ keys: [publicKey], cache: false, crypto: "webcrypto" });
await Promise.all([uncached.ready(), cached.ready(), noble.ready(), webcrypto.ready()]);

async function must(verifier: typeof uncached): Promise<void> {
  const result = await verifier.verify(headers, PATH);
  if (!result.ok) throw new Error(`benchmark token rejected: ${result.code}`);
}

type Case = { name: string; run: () => unknown; async: boolean };
const cases: Case[] = [
  {
    name: "raw crypto.verify (cached KeyObject)",
    async: false,
    run: () => cryptoVerify(null, signingInput, keyObject, signature),
  },
  {
    name: "jose.jwtVerify",
    async: true,
    run: () => jwtVerify(token, joseKey, { audience: PATH, algorithms: ["EdDSA"] }),
  },
  { name: `ours, uncached (${uncached.crypto})`, async: true, run: () => must(uncached) },
  { name: "ours, repeated token (cached)", async: true, run: () => must(cached) },
  { name: "ours, noble fallback (uncached)", async: true, run: () => must(noble) },
  { name: "ours, webcrypto (uncached)", async: true, run: () => must(webcrypto) },
];

interface Measurement {
  /** Operations per CPU-second. */
  cpu: number;
  /** Operations per wall-clock second. */
  wall: number;
}

async function measure(c: Case): Promise<Measurement> {
  const batch = 64;
  let ops = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const end = start + BENCH_MS;
  while (performance.now() < end) {
    if (c.async) for (let i = 0; i < batch; i++) await c.run();
    else for (let i = 0; i < batch; i++) c.run();
    ops += batch;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (ops * 1e6) / (cpu.user + cpu.system), wall: (ops * 1000) / (performance.now() - start) };
}

// Warm-up round (JIT, key import, caches), then the measured rounds.
for (const c of cases) await measure(c);
const best: Measurement[] = cases.map(() => ({ cpu: 0, wall: 0 }));
for (let round = 0; round < ROUNDS; round++)
  for (const [i, c] of cases.entries()) {
    const m = await measure(c);
    const b = best[i] as Measurement;
    b.cpu = Math.max(b.cpu, m.cpu);
    b.wall = Math.max(b.wall, m.wall);
  }
const results = cases.map((c, i) => ({ name: c.name, opsPerSec: best[i]?.cpu ?? 0, wall: best[i]?.wall ?? 0 }));
const raw = results[0]?.opsPerSec ?? 1;
const jose = results[1]?.opsPerSec ?? 1;

console.log(
  `\nRestate request identity verification — Node ${process.versions.node}, best of ${ROUNDS} interleaved rounds of ${BENCH_MS} ms per case, load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores\n`,
);
console.table(
  results.map((r) => ({
    case: r.name,
    "CPU µs/op": (1e6 / r.opsPerSec).toFixed(2),
    "ops/CPU-s": Math.round(r.opsPerSec).toLocaleString("en-US"),
    "ops/s (wall)": Math.round(r.wall).toLocaleString("en-US"),
    "× raw": (r.opsPerSec / raw).toFixed(2),
    "× jose": (r.opsPerSec / jose).toFixed(2),
  })),
);

const ours = results[2]?.opsPerSec ?? 0;
const repeated = results[3]?.opsPerSec ?? 0;
const targets = [
  { what: "uncached ≥ 0.8× raw", ok: ours >= 0.8 * raw, value: ours / raw },
  { what: "uncached ≥ 1.5× jose", ok: ours >= 1.5 * jose, value: ours / jose },
  { what: "cached repeated token ≥ 20× raw", ok: repeated >= 20 * raw, value: repeated / raw },
];
for (const t of targets) console.log(`${t.ok ? "✓" : "✗"} ${t.what}: ${t.value.toFixed(2)}×`);
if (!targets.every((t) => t.ok)) process.exitCode = 1;
