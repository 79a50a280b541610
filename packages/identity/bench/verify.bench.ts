// Verification cost side by side, in one process, as ratios against raw `crypto.verify` with a
// cached KeyObject (the limit for any JWT verifier on Node). Build first: `npm run build`.
//   npm run bench -w @restate-connect/identity   (BENCH_ROUNDS=7, BENCH_MS=300 per case per round)
// Cases run interleaved, round after round, and each reports its best round: on a shared machine
// this compares the cases under the same conditions instead of whatever load each happened to meet.
import { createPrivateKey, createPublicKey, verify as cryptoVerify } from "node:crypto";
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
  { name: `ours, uncached (${uncached.backend})`, async: true, run: () => must(uncached) },
  { name: "ours, repeated token (cached)", async: true, run: () => must(cached) },
  { name: "ours, noble fallback (uncached)", async: true, run: () => must(noble) },
  { name: "ours, webcrypto (uncached)", async: true, run: () => must(webcrypto) },
];

async function measure(c: Case): Promise<number> {
  const batch = 64;
  let ops = 0;
  const start = performance.now();
  const end = start + BENCH_MS;
  while (performance.now() < end) {
    if (c.async) for (let i = 0; i < batch; i++) await c.run();
    else for (let i = 0; i < batch; i++) c.run();
    ops += batch;
  }
  return (ops * 1000) / (performance.now() - start);
}

// Warm-up round (JIT, key import, caches), then the measured rounds.
for (const c of cases) await measure(c);
const best = cases.map(() => 0);
for (let round = 0; round < ROUNDS; round++)
  for (const [i, c] of cases.entries()) best[i] = Math.max(best[i] ?? 0, await measure(c));
const results = cases.map((c, i) => ({ name: c.name, opsPerSec: best[i] ?? 0 }));
const raw = results[0]?.opsPerSec ?? 1;
const jose = results[1]?.opsPerSec ?? 1;

console.log(
  `\nRestate request identity verification — Node ${process.versions.node}, best of ${ROUNDS} interleaved rounds of ${BENCH_MS} ms per case\n`,
);
console.table(
  results.map((r) => ({
    case: r.name,
    "ops/s": Math.round(r.opsPerSec).toLocaleString("en-US"),
    "µs/op": (1e6 / r.opsPerSec).toFixed(2),
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
