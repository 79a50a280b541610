#!/usr/bin/env node
// The runtime matrix (`npm run test:runtimes`, part of `npm test`): runs the runtime-agnostic checks
// of @restate-connect/identity and @restate-connect/journal-encryption (checks.ts, public API only)
// under every runtime Restate services run on, and prints a table runtime × check with the crypto
// path each used. Every runtime comes from the npm registry: Node 22 is the workspace's pinned Node,
// Node 20 is the system Node when it is 20 (else installed like Node 24 into .cache/runtimes), Bun,
// Deno and workerd are root devDependencies, and edge-runtime is Vercel's.
// Writes .reports/runtimes.json (summed into npm test's closing line); exits 1 if any check failed.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cache = join(root, ".cache", "runtimes");
const bin = (name) => join(root, "node_modules", ".bin", name);
mkdirSync(cache, { recursive: true });

// ── bundles ──────────────────────────────────────────────────────────────────────────────────
// One ESM bundle of checks.ts for module runtimes, one IIFE for edge-runtime's script VM.
const entry = fileURLToPath(new URL("./checks.ts", import.meta.url));
const esmBundle = join(cache, "checks.mjs");
const iifeBundle = join(cache, "checks.iife.js");
const common = { entryPoints: [entry], bundle: true, platform: "neutral", target: "es2022", logLevel: "warning" };
await build({ ...common, format: "esm", outfile: esmBundle, mainFields: ["module", "main"] });
await build({ ...common, format: "iife", globalName: "__checks", outfile: iifeBundle, mainFields: ["module", "main"] });

const nodeRunner = join(cache, "run-checks.mjs");
writeFileSync(
  nodeRunner,
  `import { runChecks } from ${JSON.stringify(`./${"checks.mjs"}`)};\n` +
    "const results = await runChecks();\nconsole.log(JSON.stringify(results));\n",
);

// ── runtimes ─────────────────────────────────────────────────────────────────────────────────
function installNode(version) {
  const dir = join(cache, `node-${version}`);
  const binary = join(dir, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ private: true, dependencies: { node: version }, allowScripts: { node: true } }),
    );
    execFileSync("npm", ["install", "--no-package-lock", "--no-audit", "--no-fund"], { cwd: dir, stdio: "pipe" });
  }
  return binary;
}

function systemNode20() {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d && !d.includes("node_modules"));
  for (const dir of dirs) {
    const candidate = join(dir, "node");
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout.trim();
    if (version.startsWith("v20.")) return { binary: candidate, label: `node ${version} (system)` };
  }
  return { binary: installNode("20.20.2"), label: "node v20.20.2 (npm)" };
}

function runProcess(command, args) {
  const r = spawnSync(command, args, { cwd: cache, encoding: "utf8", timeout: 120_000 });
  const line = (r.stdout ?? "").trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(
      `exit ${r.status}${r.error ? ` (${r.error.message})` : ""}: ${(r.stderr || r.stdout || "").slice(-1500)}`,
    );
  }
}

async function runWorkerd(compatibilityDate) {
  // The real workerd binary (the runtime of Cloudflare Workers) serving the checks as a module worker.
  const port = await freePort();
  writeFileSync(
    join(cache, "worker.mjs"),
    'import { runChecks } from "./checks.mjs";\n' +
      "export default { async fetch() { return Response.json(await runChecks()); } };\n",
  );
  writeFileSync(
    join(cache, "workerd.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .matrix) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const matrix :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "checks.mjs", esModule = embed "checks.mjs"),
  ],
  compatibilityDate = "${compatibilityDate}",
);
`,
  );
  const child = spawn(bin("workerd"), ["serve", join(cache, "workerd.capnp")], { cwd: cache, detached: true });
  let log = "";
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        return await response.json();
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workerd: ${error.message}\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function runEdgeRuntime() {
  const { EdgeRuntime } = await import("edge-runtime");
  const runtime = new EdgeRuntime({ initialCode: readFileSync(iifeBundle, "utf8") });
  return JSON.parse(await runtime.evaluate("__checks.runChecks().then((r) => JSON.stringify(r))"));
}

const node20 = systemNode20();
const runtimes = [
  { label: node20.label, run: () => runProcess(node20.binary, [nodeRunner]) },
  { label: `node ${process.version} (workspace)`, run: () => runProcess(process.execPath, [nodeRunner]) },
  { label: "node v24.21.0 (npm)", run: () => runProcess(installNode("24.21.0"), [nodeRunner]) },
  { label: "bun", run: () => runProcess(bin("bun"), [nodeRunner]) },
  { label: "deno", run: () => runProcess(bin("deno"), ["run", "--no-prompt", nodeRunner]) },
  // A current compatibility date gives workers Node's APIs (process, node:crypto); an older one has
  // only Web APIs, which is what the noble fallbacks exist for.
  { label: "workerd (compat 2026-11-01)", run: () => runWorkerd("2026-11-01") },
  { label: "workerd (compat 2024-01-01)", run: () => runWorkerd("2024-01-01") },
  { label: "edge-runtime (Vercel)", run: runEdgeRuntime },
];

// ── run and report ───────────────────────────────────────────────────────────────────────────
const rows = [];
for (const runtime of runtimes) {
  let results;
  try {
    results = await runtime.run();
  } catch (error) {
    results = [{ check: "runtime starts", ok: false, detail: String(error?.message ?? error) }];
  }
  for (const r of results) rows.push({ runtime: runtime.label, ...r });
}

const width = (key, title) => Math.max(title.length, ...rows.map((r) => String(r[key] ?? "").length));
const cols = [
  ["runtime", "runtime"],
  ["check", "check"],
  ["result", "result"],
  ["backend", "crypto path"],
];
for (const r of rows) r.result = r.ok ? "pass" : "FAIL";
const widths = cols.map(([key, title]) => width(key, title));
const line = (cells) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
console.log(line(cols.map(([, title]) => title)));
console.log(line(widths.map((w) => "─".repeat(w))));
for (const r of rows) console.log(line(cols.map(([key]) => r[key])));
const failures = rows.filter((r) => !r.ok);
for (const f of failures) console.log(`\n✗ ${f.runtime} / ${f.check}: ${f.detail ?? "failed"}`);

mkdirSync(join(root, ".reports"), { recursive: true });
writeFileSync(
  join(root, ".reports", "runtimes.json"),
  JSON.stringify({
    numPassedTests: rows.length - failures.length,
    numFailedTests: failures.length,
    testResults: [],
    rows,
  }),
);
console.log(`\nruntime matrix: ${rows.length - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length > 0 ? 1 : 0);
