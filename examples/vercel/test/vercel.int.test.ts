import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdminClient } from "@restate-connect/admin-client";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import {
  freePort,
  type ManagedProcess,
  type RestateServer,
  spawnManaged,
  startRestate,
  waitFor,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { greeter } from "../src/restate/greeter.js";

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// `next` is hoisted to the workspace root; run its CLI with the Node that runs the tests.
const nextCli = createRequire(import.meta.url).resolve("next/dist/bin/next");
const MARKER = `vercel-marker-${randomBytes(6).toString("hex")}`;

// Nothing here may reach the network: no telemetry, no update checks. Settings of the app under test
// come only from this file, never from the developer's shell.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith("JOURNAL_") && !name.startsWith("RESTATE_")),
);
const quietEnv = { ...inherited, NEXT_TELEMETRY_DISABLED: "1", CI: "1", RESTATE_LOGGING: "WARN" };

let restate: RestateServer | undefined;
let app: ManagedProcess | undefined;
let appUrl = "";
const trusted = generateKeyPair();
const journalKey = randomBytes(32).toString("base64");

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawnManaged(command, args, { cwd: appDir, env });
  const code = await child.exited;
  await child.stop();
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}:\n${child.logs()}`);
}

beforeAll(async () => {
  // Build while the server starts: both take a few seconds on a small machine.
  const [server] = await Promise.all([
    startRestate({ signingKeyPem: trusted.privateKeyPem }),
    run(process.execPath, [nextCli, "build"], quietEnv),
  ]);
  restate = server;
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  app = spawnManaged(process.execPath, [nextCli, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: appDir,
    env: {
      ...quietEnv,
      RESTATE_IDENTITY_KEYS: trusted.publicKey,
      JOURNAL_KEYS: `e2e=${journalKey}`,
    },
  });
  // Any HTTP answer means the server is up; an unsigned request is answered with 401.
  await waitFor(`${appUrl}/restate/discover`, {
    intervalMs: 1000,
    timeoutMs: 60_000,
    accept: () => true,
    describeFailure: () => app?.logs() ?? "",
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([app?.stop(), restate?.stop()]);
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

describe("Next.js route handler on next start", () => {
  it("registers through the admin client over HTTP/1.1 and serves an invocation through ingress", async () => {
    const admin = createAdminClient({ baseUrl: restate!.adminUrl });
    const deployment = await admin.deployments.register({ uri: `${appUrl}/restate` }, { useHttp11: true });
    expect(deployment.services.map((service: { name: string }) => service.name)).toEqual(["Greeter"]);

    // The caller encodes the input and decodes the output with the same codec as the service.
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
      app?.logs() ?? "",
    );
    expect(line, app?.logs()).not.toBeNull();
    console.info(line?.[0]);
  });

  it("rejects an unsigned direct call with 401", async () => {
    const response = await fetch(`${appUrl}/restate/discover`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "missing_scheme" });
  });

  it("rejects a call signed by another environment's key with 401", async () => {
    const stranger = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const response = await fetch(`${appUrl}/restate/discover`, { headers: await stranger.sign("/discover") });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "bad_signature" });
  });
});
