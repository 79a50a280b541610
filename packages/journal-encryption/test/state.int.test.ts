/**
 * audit, migrate and rewrap against the real restate-server and moto's KMS, while invocations keep
 * writing the same objects. Nothing may be lost: afterwards every value equals what its last writer
 * wrote and is sealed under the new key.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { createAdminClient } from "@restate-connect/admin-client";
import {
  type MotoServer,
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startMoto,
  startRestate,
} from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { createJournalCodec, type JournalCodec } from "../src/codec.js";
import { inspectValue } from "../src/inspect.js";
import { kmsKeyProvider } from "../src/kms.js";
import { generateLocalKey, localKeyProvider } from "../src/local-key-provider.js";
import type { RewriteReport } from "../src/state/rewrite.js";
import { readAllState, readObjectState } from "../src/state/store.js";
import { stateVersion } from "../src/state/version.js";
import { referenceFrame } from "./reference-writer.js";

const OBJECTS = ["acct-0", "acct-1", "acct-2", "acct-3", "acct-4", "acct-5"];
const BUSY = OBJECTS.slice(0, 4); // written continuously while the tools run
const utf8 = (text: string) => new TextEncoder().encode(text);
const fromUtf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ledger = restate.object({
  name: "Ledger",
  handlers: {
    seed: async (ctx: restate.ObjectContext, notes: string) => {
      ctx.set("notes", notes);
      ctx.set("count", 0);
    },
    bump: async (ctx: restate.ObjectContext): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + 1;
      ctx.set("count", next);
      ctx.set("last", `bump ${next} of ${ctx.key}`);
      return next;
    },
  },
});

/** The awakeable a `Vault.hold` invocation waits on (the endpoint runs in this process). */
const held: { id?: string } = {};

/** Its state is written directly with modify-state; `hold` keeps an object locked until resolved. */
const vault = restate.object({
  name: "Vault",
  handlers: {
    hold: async (ctx: restate.ObjectContext) => {
      const { id, promise } = ctx.awakeable<string>();
      held.id = id;
      return promise;
    },
  },
});

const signup = restate.workflow({
  name: "Signup",
  handlers: {
    run: async (ctx: restate.WorkflowContext, email: string) => {
      ctx.set("email", email);
      return "ok";
    },
  },
});

/** The codec the endpoint and the ingress client use; tests switch it between phases. */
const identity = { encode: (v: Uint8Array) => v, decode: async (v: Uint8Array) => v };
let current: { encode(v: Uint8Array): Uint8Array; decode(v: Uint8Array): Promise<Uint8Array> } = identity;
const switchable = { encode: (v: Uint8Array) => current.encode(v), decode: (v: Uint8Array) => current.decode(v) };

describe("audit, migrate and rewrap stored state while invocations write it", () => {
  let moto: MotoServer;
  let rs: RestateServer;
  let endpoint: ServedEndpoint;
  let ingress: clients.Ingress;
  let kms: KMSClient;
  let keyA: string;
  let keyB: string;
  const savedEnv = { ...process.env };
  const codecs: JournalCodec[] = [];
  const admin = () => createAdminClient({ baseUrl: rs.adminUrl });

  async function codecFor(keyId: string, allowed: string[], options: { allowPlaintext?: boolean } = {}) {
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId, client: kms, allowedKeyIds: allowed }),
      ...options,
    });
    codecs.push(codec);
    return codec;
  }

  /** Runs restate-journal in process; returns exit code, stdout JSON and stderr lines. */
  async function cli(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const adminFlags = ["audit", "migrate", "rewrap"].includes(argv[0] as string) ? ["--admin-url", rs.adminUrl] : [];
    const code = await run([...argv, "--json", ...adminFlags], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: {},
    });
    return { code, json: JSON.parse(out.join("\n")) as Record<string, unknown>, err };
  }
  const kmsFlags = () => ["--kms", "--aws-region", moto.region, "--endpoint-url", moto.endpoint];

  /**
   * Two writers per busy object, each bump answering the count it wrote. Calls are counted across
   * phases: with nothing lost, an object's count equals its number of calls, and its highest answer.
   */
  const callsPerObject = new Map<string, number>();
  function startWriters() {
    const last = new Map<string, number>();
    let stop = false;
    let calls = 0;
    const loops = BUSY.flatMap((key) =>
      [0, 1].map(async () => {
        while (!stop) {
          const n = await ingress.objectClient(ledger, key).bump();
          last.set(key, Math.max(n, last.get(key) ?? 0));
          callsPerObject.set(key, (callsPerObject.get(key) ?? 0) + 1);
          calls++;
          await sleep(30 + Math.random() * 70);
        }
      }),
    );
    return {
      last,
      calls: () => calls,
      async stop() {
        stop = true;
        await Promise.all(loops);
      },
    };
  }

  /** Every stored value opened with a codec that holds only `keyId` and refuses plaintext. */
  async function storedUnder(keyId: string) {
    const only = await codecFor(keyId, [keyId]);
    const objects = await readAllState(admin());
    const values = new Map<string, string>();
    for (const object of objects) {
      for (const [stateKey, value] of object.state) {
        expect(inspectValue(value).format, `${object.service}/${object.objectKey}/${stateKey}`).toBe("envelope");
        values.set(`${object.service}/${object.objectKey}/${stateKey}`, fromUtf8(await only.decode(value)));
      }
    }
    return values;
  }

  function expectNothingLost(values: Map<string, string>, last: Map<string, number>) {
    let lost = 0;
    for (const key of OBJECTS) {
      const count = last.get(key) ?? 0;
      expect(count, `${key}: every bump counted once`).toBe(callsPerObject.get(key) ?? 0);
      if (values.get(`Ledger/${key}/count`) !== JSON.stringify(count)) lost++;
      if (values.get(`Ledger/${key}/notes`) !== JSON.stringify(`notes of ${key}`)) lost++;
      if (count > 0 && values.get(`Ledger/${key}/last`) !== JSON.stringify(`bump ${count} of ${key}`)) lost++;
    }
    if (values.get("Signup/ada/email") !== JSON.stringify("ada@example.com")) lost++;
    expect(lost).toBe(0);
    return lost;
  }

  beforeAll(async () => {
    [moto, rs] = await Promise.all([startMoto(), startRestate()]);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    });
    kms = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    keyA = (await kms.send(new CreateKeyCommand({ Description: "state tools A" }))).KeyMetadata?.Arn as string;
    keyB = (await kms.send(new CreateKeyCommand({ Description: "state tools B" }))).KeyMetadata?.Arn as string;
    endpoint = await serveEndpoint([ledger, signup, vault], {
      journalValueCodecProvider: () => Promise.resolve(switchable),
    });
    await register(rs.adminUrl, endpoint.url);
    ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: switchable });
  }, 120_000);

  afterAll(async () => {
    process.env = savedEnv;
    for (const codec of codecs) codec.close();
    await endpoint?.stop();
    await Promise.all([rs?.stop(), moto?.stop()]);
  });

  it("computes the state version exactly as restate-server does: a stale version is accepted (202) and dropped", async () => {
    await ingress.objectClient(ledger, "versioned").seed("notes of versioned");
    const client = admin();
    const before = await readObjectState(client, "Ledger", "versioned");
    const version = await stateVersion(before);
    // Stale: the state moves on after the version was taken.
    await ingress.objectClient(ledger, "versioned").bump();
    await client.services.modifyState("Ledger", {
      objectKey: "versioned",
      newState: { ...Object.fromEntries(before), notes: utf8('"overwritten"') },
      version,
    });
    await sleep(1000);
    const after = await readObjectState(client, "Ledger", "versioned");
    expect(fromUtf8(after.get("notes") as Uint8Array)).toBe('"notes of versioned"');
    expect(fromUtf8(after.get("count") as Uint8Array)).toBe("1");
    // Current: applied. This is what proves the version algorithm matches the server's.
    await client.services.modifyState("Ledger", {
      objectKey: "versioned",
      newState: { ...Object.fromEntries(after), notes: utf8('"rewritten"') },
      version: await stateVersion(after),
    });
    const deadline = Date.now() + 10_000;
    let notes = "";
    while (Date.now() < deadline && notes !== '"rewritten"') {
      notes = fromUtf8((await readObjectState(client, "Ledger", "versioned")).get("notes") as Uint8Array);
      await sleep(100);
    }
    expect(notes).toBe('"rewritten"');
    // Clean up so the other tests see only their own objects.
    await client.services.modifyState("Ledger", { objectKey: "versioned", newState: {} });
    const cleared = Date.now() + 10_000;
    while (Date.now() < cleared && (await readObjectState(client, "Ledger", "versioned")).size > 0) await sleep(100);
  });

  it("audits plaintext, migrates it under KMS key A, then re-seals it under B, losing nothing", async () => {
    // Phase 1: plaintext state, written before encryption was turned on.
    current = identity;
    for (const key of OBJECTS) await ingress.objectClient(ledger, key).seed(`notes of ${key}`);
    await ingress.workflowClient(signup, "ada").workflowSubmit("ada@example.com");
    await ingress.workflowClient(signup, "ada").workflowAttach();

    const before = await cli(["audit"]);
    expect(before.code, before.err.join("\n")).toBe(1);
    expect(before.json).toMatchObject({ clean: false, totals: { plaintext: OBJECTS.length * 2 + 1, values: 13 } });

    // Phase 2: services encrypt under A and still read plaintext; migrate while they write.
    current = await codecFor(keyA, [keyA], { allowPlaintext: true });
    const dry = await cli(["migrate", "--dry-run"]);
    expect(dry.json).toMatchObject({ dryRun: true, valuesRewritten: 13 });
    expect((await cli(["audit"])).json).toMatchObject({ totals: { plaintext: 13 } }); // dry run changed nothing

    const writers = startWriters();
    await sleep(300);
    const migrated = await cli(["migrate", ...kmsFlags(), "--allow-key", keyA]);
    await sleep(300);
    await writers.stop();
    expect(migrated.code, migrated.err.join("\n")).toBe(0);
    const migrateReport = migrated.json as unknown as RewriteReport;
    // No writer touches notes, the idle objects' counts or the workflow's email: only migrate can have.
    const untouchedByWriters = OBJECTS.length + (OBJECTS.length - BUSY.length) + 1;
    expect(migrateReport.valuesRewritten).toBeGreaterThanOrEqual(untouchedByWriters);
    expect(migrateReport.pending).toEqual([]);
    expect(migrateReport.failures).toEqual([]);
    expect(migrated.err.some((line) => /value\(s\) encrypted/.test(line))).toBe(true); // progress on stderr
    const afterMigrate = await storedUnder(keyA);
    const lostInMigrate = expectNothingLost(afterMigrate, writers.last);

    const audited = await cli(["audit", "--allow-key", keyA]);
    expect(audited.code).toBe(0);
    expect(audited.json).toMatchObject({
      clean: true,
      totals: { plaintext: 0, notAllowed: 0, values: 13 + BUSY.length },
    });
    const again = await cli(["migrate", ...kmsFlags(), "--allow-key", keyA]);
    expect(again.json).toMatchObject({ valuesRewritten: 0, conflictsRetried: 0 });

    // Phase 3: retire A. Services seal under B and still read A; rewrap while they write.
    current = await codecFor(keyB, [keyA, keyB]);
    const writers2 = startWriters();
    for (const [key, n] of writers.last) writers2.last.set(key, n);
    await sleep(300);
    const rewrapped = await cli(["rewrap", ...kmsFlags(), "--from-key", keyA, "--active-key", keyB]);
    await sleep(300);
    await writers2.stop();
    expect(rewrapped.code, rewrapped.err.join("\n")).toBe(0);
    const rewrapReport = rewrapped.json as unknown as RewriteReport;
    expect(rewrapReport.valuesRewritten).toBeGreaterThanOrEqual(untouchedByWriters);
    expect(rewrapReport.pending).toEqual([]);
    expect(rewrapReport.failures).toEqual([]);
    const lostInRewrap = expectNothingLost(await storedUnder(keyB), writers2.last);

    const underA = await cli(["audit", "--allow-key", keyA]);
    expect(underA.code).toBe(1); // everything is now outside the old allow-list
    expect((await cli(["audit", "--allow-key", keyB])).code).toBe(0);
    const rewrapAgain = await cli(["rewrap", ...kmsFlags(), "--from-key", keyA, "--active-key", keyB]);
    expect(rewrapAgain.json).toMatchObject({ valuesRewritten: 0 });

    // Values written by Restate's reference codec (no encryption context) move to our format too.
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyA, KeySpec: "AES_256" }));
    const legacy = referenceFrame(
      "length-prefixed",
      dataKey.CiphertextBlob as Uint8Array,
      dataKey.Plaintext as Uint8Array,
      crypto.getRandomValues(new Uint8Array(12)),
      utf8('"from the reference codec"'),
    );
    await admin().services.modifyState("Ledger", { objectKey: "legacy", newState: { notes: legacy } });
    const seen = Date.now() + 10_000;
    while (Date.now() < seen && (await readObjectState(admin(), "Ledger", "legacy")).size === 0) await sleep(100);
    const decoded = await cli(["decode", Buffer.from(legacy).toString("base64"), ...kmsFlags(), "--allow-key", keyA]);
    expect(decoded.json).toMatchObject({ provider: "aws-kms", text: '"from the reference codec"' });
    // KMS refusals in words: another encryption context than the one the value was sealed with.
    const notes = (await readObjectState(admin(), "Ledger", "acct-4")).get("notes") as Uint8Array;
    const notesBase64 = Buffer.from(notes).toString("base64");
    const wrongContext = await cli([
      "decode",
      notesBase64,
      ...kmsFlags(),
      "--allow-key",
      keyB,
      "--context",
      "purpose=x",
    ]);
    expect(wrongContext.code).toBe(1);
    expect(wrongContext.json).toMatchObject({
      error: { code: "provider_error", message: expect.stringMatching(/different encryption context/) },
    });
    const withLegacy = await cli(["audit", "--allow-key", keyB]);
    expect(withLegacy.code).toBe(1);
    expect(withLegacy.json).toMatchObject({ totals: { referenceFormat: 1, notAllowed: 1 } });
    const fromReference = await cli([
      "rewrap",
      ...kmsFlags(),
      "--from-reference-format",
      "--allow-key",
      keyA,
      "--active-key",
      keyB,
    ]);
    expect(fromReference.code, fromReference.err.join("\n")).toBe(0);
    expect(fromReference.json).toMatchObject({ valuesRewritten: 1, pending: [], failures: [] });
    expect((await storedUnder(keyB)).get("Ledger/legacy/notes")).toBe('"from the reference codec"');
    expect((await cli(["audit", "--allow-key", keyB])).code).toBe(0);

    console.info(
      `state tools under concurrent writers (${writers.calls() + writers2.calls()} writer invocations):\n` +
        `  migrate: ${migrateReport.valuesRewritten} values touched, ${migrateReport.conflictsRetried} conflicts retried, values lost: ${lostInMigrate}\n` +
        `  rewrap:  ${rewrapReport.valuesRewritten} values touched, ${rewrapReport.conflictsRetried} conflicts retried, values lost: ${lostInRewrap}`,
    );
  }, 180_000);

  it("local keys: audit finds a tampered value by decrypting, migrate seals under a local key, rewrap moves it to KMS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "state-tools-"));
    try {
      const keys = { "2026-01": generateLocalKey() };
      const keyFile = join(dir, "keys.txt");
      writeFileSync(keyFile, `2026-01=${keys["2026-01"]}\n`, { mode: 0o600 });
      const local = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "2026-01" }) });
      codecs.push(local);
      const tampered = local.encode(utf8('"tampered"'));
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
      const client = admin();
      await client.services.modifyState("Vault", {
        objectKey: "v1",
        newState: { plain: utf8('"plain"'), bad: tampered },
      });
      while ((await readObjectState(client, "Vault", "v1")).size === 0) await sleep(100);

      const keyless = await cli(["audit", "--service", "Vault"]);
      expect(keyless.json).toMatchObject({ totals: { values: 2, plaintext: 1, keys: { "local:2026-01": 1 } } });
      const verified = await cli(["audit", "--service", "Vault", "--local-key-file", keyFile]);
      expect(verified.code).toBe(1);
      expect(verified.json).toMatchObject({ totals: { undecodable: { authentication_failed: 1 } } });
      expect(JSON.stringify(verified)).not.toContain(keys["2026-01"]);

      const migrated = await cli(["migrate", "--service", "Vault", "--local-key-file", keyFile]);
      expect(migrated.json).toMatchObject({ valuesRewritten: 1, pending: [], failures: [] });
      const rewrapped = await cli([
        "rewrap",
        "--service",
        "Vault",
        "--local-key-file",
        keyFile,
        "--from-key",
        "2026-01",
        ...kmsFlags(),
        "--allow-key",
        keyB,
        "--active-key",
        keyB,
      ]);
      // The tampered value cannot be opened: it is left as it was and reported; the rest moves to KMS.
      expect(rewrapped.code).toBe(1);
      expect(rewrapped.json).toMatchObject({
        valuesRewritten: 1,
        failures: [{ service: "Vault", objectKey: "v1", stateKey: "bad", code: "authentication_failed" }],
      });
      const state = await readObjectState(client, "Vault", "v1");
      expect(state.get("bad")).toEqual(tampered);
      const onlyB = await codecFor(keyB, [keyB]);
      expect(fromUtf8(await onlyB.decode(state.get("plain") as Uint8Array))).toBe('"plain"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("a change queued behind an invocation that holds the object is reported pending, and applies when it ends", async () => {
    current = await codecFor(keyB, [keyA, keyB], { allowPlaintext: true });
    const client = admin();
    await client.services.modifyState("Vault", { objectKey: "held", newState: { note: utf8('"plain"') } });
    while ((await readObjectState(client, "Vault", "held")).size === 0) await sleep(100);
    held.id = undefined;
    const holding = await ingress
      .objectSendClient(vault, "held")
      .hold(clients.rpc.sendOpts({ idempotencyKey: "hold-once" }));
    while (held.id === undefined) await sleep(50);

    const migrate = ["migrate", "--service", "Vault", ...kmsFlags(), "--allow-key", keyB, "--wait", "2"];
    const queued = await cli(migrate);
    expect(queued.code).toBe(1);
    expect(queued.json).toMatchObject({ pending: [{ service: "Vault", objectKey: "held", reason: "queued" }] });
    expect(queued.err.join("\n")).toMatch(/Vault\/held: change queued behind an invocation that holds the object/);
    expect(inspectValue((await readObjectState(client, "Vault", "held")).get("note") as Uint8Array).format).toBe(
      "plaintext",
    );

    await ingress.resolveAwakeable(held.id, "go");
    expect(await ingress.result(holding)).toBe("go");
    const deadline = Date.now() + 10_000;
    let format = "plaintext";
    while (Date.now() < deadline && format === "plaintext") {
      format = inspectValue((await readObjectState(client, "Vault", "held")).get("note") as Uint8Array).format;
      await sleep(100);
    }
    expect(format).toBe("envelope"); // the queued change applied once the invocation ended
    const again = await cli(migrate);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ valuesRewritten: 0, pending: [] });
  }, 60_000);
});
