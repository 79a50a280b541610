// Builds the Worker exactly as `wrangler deploy` would upload it (`--dry-run --outdir`), fully offline,
// and reports the upload size and which packages the JavaScript bundle is made of.
// Usage: node scripts/bundle-size.mjs
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const workerDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(workerDir, ".wrangler", "dist");
const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler")), "..", "bin", "wrangler.js");

execFileSync(
  process.execPath,
  [wranglerCli, "deploy", "--dry-run", "--outdir", outDir, "--metafile", join(outDir, "meta.json")],
  {
    cwd: workerDir,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      CI: "true",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
let total = 0;
let totalGzip = 0;
for (const name of readdirSync(outDir)) {
  if (name.endsWith(".map") || name.endsWith(".json") || name.endsWith(".md")) continue;
  const file = join(outDir, name);
  const size = statSync(file).size;
  const gzip = gzipSync(readFileSync(file)).length;
  total += size;
  totalGzip += gzip;
  console.log(`${name.padEnd(60)} ${kib(size).padStart(12)}  gzip ${kib(gzip)}`);
}
console.log(`${"upload total".padEnd(60)} ${kib(total).padStart(12)}  gzip ${kib(totalGzip)}`);

const meta = JSON.parse(readFileSync(join(outDir, "meta.json"), "utf8"));
const bundle = Object.values(meta.outputs).find((output) => output.entryPoint !== undefined);
const byPackage = new Map();
for (const [input, { bytesInOutput }] of Object.entries(bundle?.inputs ?? {})) {
  let owner = "(this Worker)";
  const inNodeModules = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  const inWorkspace = input.match(/packages\/([^/]+)\//);
  if (inNodeModules) owner = inNodeModules[1] ?? owner;
  else if (inWorkspace) owner = `@restate-connect/${inWorkspace[1]}`;
  byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
}
console.log("\nworker.js by package:");
for (const [owner, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${owner.padEnd(58)} ${kib(bytes).padStart(12)}`);
}
