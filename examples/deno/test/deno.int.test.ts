import { randomBytes, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdminClient } from "@restate-connect/admin-client";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import {
  freePort,
  type ManagedProcess,
  type RestateCluster,
  spawnManaged,
  startRestateCluster,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { vault } from "../src/services.ts";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(exampleDir, "..", "..");
// Deno from npm (the root devDependency `deno`), as the runtime matrix runs it.
const denoBinary = join(dirname(createRequire(import.meta.url).resolve("deno/package.json")), "deno");
const trusted = generateKeyPair();
const journalKeys = { "2026-11": randomBytes(32).toString("base64") };

let cluster: RestateCluster;
let deno: ManagedProcess;
let serviceUrl = "";

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; deno output:\n${deno.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function events(): Array<Record<string, unknown>> {
  return deno
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  const port = await freePort();
  serviceUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("RESTATE_") || key.startsWith("JOURNAL_")) delete env[key];
  deno = spawnManaged(denoBinary, ["run", "--allow-net", "--allow-env", "--allow-read", "src/main.ts"], {
    cwd: exampleDir,
    env: {
      ...env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      RESTATE_IDENTITY_KEYS: trusted.publicKey,
      JOURNAL_KEYS: Object.entries(journalKeys)
        .map(([id, key]) => `${id}=${key}`)
        .join(","),
      RESTATE_LOGGING: "WARN",
      DENO_DIR: join(repoRoot, ".cache", "deno"),
      NO_COLOR: "1",
    },
  });
  [cluster] = await Promise.all([
    startRestateCluster({ nodes: 3, replication: 2, signingKeyPem: trusted.privateKeyPem }),
    until(() => deno.logs().includes('"event":"listening"'), 60_000, "deno to listen"),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([deno?.stop(), cluster?.stop()]);
});

describe("the Deno service (Deno.serve + the SDK's fetch endpoint) on a 3-node cluster", () => {
  it("registers through one node, is invoked through every node, and Restate stores only ciphertext", async () => {
    const admin = createAdminClient({ baseUrl: cluster.adminUrls[1] as string });
    // Deno.serve speaks HTTP/2 only over TLS: Restate reaches it with HTTP/1.1 (request-response mode).
    const registered = await admin.deployments.register({ uri: serviceUrl }, { force: true, useHttp11: true });
    expect(registered.services.map((s) => s.name)).toEqual(["vault"]);

    const codec = await createJournalCodec({
      keyProvider: localKeyProvider({ keys: journalKeys, activeKeyId: "2026-11" }),
    });
    const note = `the launch code ${randomUUID()}`;
    const account = `acct-${randomUUID().slice(0, 8)}`;
    const [first, second, third] = cluster.ingressUrls.map((url) =>
      clients.connect({ url, journalValueCodec: codec }),
    ) as [clients.Ingress, clients.Ingress, clients.Ingress];
    // A registration reaches the other nodes a few hundred ms later; the client retries a 404 meanwhile.
    const retry404 = async <T>(call: () => PromiseLike<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await call();
        } catch (error) {
          if (attempt > 50 || !String(error).includes("404")) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const kept = await retry404(() =>
      first
        .objectClient<typeof vault>({ name: "vault" }, account)
        .keep(note, clients.rpc.opts({ idempotencyKey: account })),
    );
    expect(kept).toMatchObject({ length: note.length, receipt: expect.stringMatching(/^kept-/) });
    expect(await retry404(() => second.objectClient<typeof vault>({ name: "vault" }, account).read())).toBe(note);
    expect(await retry404(() => third.objectClient<typeof vault>({ name: "vault" }, account).read())).toBe(note);

    // What the cluster stored (asked through another node) is an envelope that opens to the note.
    const other = createAdminClient({ baseUrl: cluster.adminUrls[2] as string });
    const [row] = await other.query<{ value: string }>(
      `SELECT value FROM state WHERE service_name = 'vault' AND service_key = '${account}' AND key = 'note'`,
    );
    const stored = Buffer.from(row?.value ?? "", "hex");
    expect(stored.length).toBeGreaterThan(note.length);
    expect(stored.includes(Buffer.from("launch code"))).toBe(false);
    expect(JSON.parse(Buffer.from(await codec.decode(stored)).toString("utf8"))).toBe(note);
    const journal = await other.query<{ raw: string }>(
      `SELECT j.raw FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE i.target_service_key = '${account}'`,
    );
    expect(journal.length).toBeGreaterThan(0);
    for (const entry of journal) expect(Buffer.from(entry.raw, "hex").includes(Buffer.from("launch code"))).toBe(false);
    codec.close();

    expect(events().filter((e) => e.event === "identity_rejected")).toEqual([]);
  });

  it("refuses requests that are not signed by the cluster's key, and says why in its log", async () => {
    const unsigned = await fetch(`${serviceUrl}/discover`, { method: "POST" });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ code: "missing_scheme" });

    const foreign = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const forged = await fetch(`${serviceUrl}/discover`, { method: "POST", headers: await foreign.sign("/discover") });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ code: "bad_signature" });

    await until(() => events().filter((e) => e.event === "identity_rejected").length >= 2, 5000, "the reject events");
    expect(
      events()
        .filter((e) => e.event === "identity_rejected")
        .map((e) => e.code),
    ).toEqual(["missing_scheme", "bad_signature"]);
  });
});
