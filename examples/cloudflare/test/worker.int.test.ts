import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import {
  freePorts,
  type ManagedProcess,
  type RestateServer,
  spawnManaged,
  startRestate,
  waitFor,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { greeter } from "../src/greeter.js";

const workerDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// `wrangler` is hoisted to the workspace root; run its CLI with the Node that runs the tests (≥ 22.12).
const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler")), "..", "bin", "wrangler.js");
const adminCli = join(
  dirname(createRequire(import.meta.url).resolve("@restate-connect/admin-client/package.json")),
  "dist",
  "cli.js",
);
const MARKER = `worker-marker-${randomBytes(6).toString("hex")}`;

let restate: RestateServer | undefined;
const workers: ManagedProcess[] = [];
let workerUrl = "";
let unconfiguredUrl = "";
let scratch = "";
const trusted = generateKeyPair();
const journalKey = randomBytes(32).toString("base64");

/** Runs `wrangler dev` on workerd, fully local, with `secrets` as bindings (as `.dev.vars` would give them). */
async function startWorker(name: string, secrets: string): Promise<string> {
  // Secrets reach the Worker as bindings from a file, never on a command line.
  const secretsFile = join(scratch, `${name}.env`);
  writeFileSync(secretsFile, secrets, { mode: 0o600 });
  const [port, inspectorPort] = await freePorts(2);
  const url = `http://127.0.0.1:${port}`;
  const worker = spawnManaged(
    process.execPath,
    [
      wranglerCli,
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--env-file",
      secretsFile,
      "--persist-to",
      join(scratch, name, "state"),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: workerDir,
      env: {
        ...process.env,
        // Fully local: no login, no metrics, no update check, no download of the Request.cf object.
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_HIDE_BANNER: "true",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_LOG_PATH: join(scratch, name, "logs"),
        XDG_CONFIG_HOME: join(scratch, name, "config"),
      },
    },
  );
  workers.push(worker);
  // Any HTTP answer means workerd is serving (an unsigned request is answered with 401). The first
  // request compiles the SDK's WebAssembly module, so each attempt may take seconds on a busy machine.
  await waitFor(`${url}/discover`, {
    timeoutMs: 90_000,
    intervalMs: 1000,
    accept: () => true,
    describeFailure: () => worker.logs(),
  });
  return url;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "restate-connect-worker-"));
  const [server, url, unconfigured] = await Promise.all([
    startRestate({ signingKeyPem: trusted.privateKeyPem }),
    startWorker("configured", `RESTATE_IDENTITY_KEYS=${trusted.publicKey}\nJOURNAL_KEYS=e2e=${journalKey}\n`),
    // wrangler.toml ships RESTATE_IDENTITY_KEYS empty: without the secrets the Worker must refuse everything.
    startWorker("unconfigured", ""),
  ]);
  restate = server;
  workerUrl = url;
  unconfiguredUrl = unconfigured;
}, 180_000);

afterAll(async () => {
  await Promise.all([...workers.map((worker) => worker.stop()), restate?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The raw bytes of every journal entry Restate stored for the Greeter service. */
async function storedJournalBytes(): Promise<Buffer> {
  const response = await fetch(`${restate?.adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      query:
        "SELECT j.raw FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE i.target_service_name = 'Greeter'",
    }),
  });
  expect(response.status).toBe(200);
  const { rows } = (await response.json()) as { rows: { raw: string }[] };
  expect(rows.length).toBeGreaterThan(0);
  return Buffer.concat(rows.map((row) => Buffer.from(row.raw, "hex")));
}

describe("Worker under workerd (wrangler dev --local)", () => {
  it("registers with the admin client's CLI over HTTP/1.1 and serves an invocation through ingress", async () => {
    // Exactly the command the README gives: wrangler dev serves HTTP/1.1 only.
    const cli = spawnManaged(process.execPath, [adminCli, "register", workerUrl, "--http1.1", "--json"], {
      env: { ...process.env, RESTATE_ADMIN_URL: restate!.adminUrl },
    });
    const code = await cli.exited;
    await cli.stop();
    expect(code, cli.logs()).toBe(0);
    const deployment = JSON.parse(cli.logs()) as { services: { name: string }[] };
    expect(deployment.services.map((service) => service.name)).toEqual(["Greeter"]);

    // The caller encodes the input and decodes the output with the same codec as the Worker.
    const codec = await createJournalCodec({
      keyProvider: localKeyProvider({ keys: { e2e: journalKey }, activeKeyId: "e2e" }),
    });
    try {
      const ingress = clients.connect({ url: restate!.ingressUrl, journalValueCodec: codec });
      const greeting = await ingress.serviceClient<typeof greeter>({ name: "Greeter" }).greet(MARKER);
      expect(greeting).toBe(`Hello, ${MARKER}!`);
    } finally {
      codec.close();
    }
  });

  it("refuses a plaintext input that did not go through the codec", async () => {
    const response = await fetch(`${restate!.ingressUrl}/Greeter/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("plaintext caller"),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("decode");
  });

  it("leaves no plaintext of the invocation in what Restate stored", async () => {
    const stored = await storedJournalBytes();
    // The search works: the ingress path header is stored in the clear next to the encrypted input.
    expect(stored.includes(Buffer.from("/Greeter/greet"))).toBe(true);
    expect(stored.includes(Buffer.from(MARKER))).toBe(false);
  });

  it("says which crypto implementations the runtime provided", () => {
    const line = /request identity uses (node|webcrypto|noble) Ed25519, journal codec uses (node|noble) AES-GCM/.exec(
      workers[0]?.logs() ?? "",
    );
    expect(line, workers[0]?.logs()).not.toBeNull();
    console.info(line?.[0]);
  });

  it("rejects an unsigned direct call with 401", async () => {
    const response = await fetch(`${workerUrl}/discover`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "missing_scheme" });
  });

  it("rejects a call signed by another environment's key with 401", async () => {
    const stranger = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const response = await fetch(`${workerUrl}/discover`, { headers: await stranger.sign("/discover") });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "bad_signature" });
  });

  it("fails closed when the Worker's secrets are missing", async () => {
    const restateSigner = createSigner({ privateKeyPem: trusted.privateKeyPem });
    const response = await fetch(`${unconfiguredUrl}/discover`, { headers: await restateSigner.sign("/discover") });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: "missing_identity_keys" });
  });
});
