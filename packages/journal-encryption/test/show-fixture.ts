/**
 * A real restate-server with encrypted services and the invocations `show` and the console are
 * tested on: one completed (input, state, ctx.run, call, output), one failed, one suspended on an
 * awakeable, one storing a `<script>` value, plus an object whose state was written under a key the
 * reader does not have and one holding a plaintext value.
 */
import { createAdminClient } from "@restate-connect/admin-client";
import {
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { createJournalCodec, generateLocalKey, type JournalCodec, localKeyProvider } from "../src/index.js";
import { showServices } from "./show-services.js";
import { eventually, sql } from "./stored-bytes.js";

/** An object key and a state key that are markup: Restate stores them as plain text, unencrypted. */
export const MARKUP_OBJECT_KEY = `"><svg onload="window.__pwned=3"></svg>`;
export const MARKUP_STATE_KEY = `<img src=x onerror="window.__pwned=4">`;

export const SCRIPT_VALUE = `<script>document.title="pwned";window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;

export interface ShowScenario {
  readonly rs: RestateServer;
  readonly admin: ReturnType<typeof createAdminClient>;
  /** The keys the reader has: only `k1`. */
  readonly keys: Record<string, string>;
  readonly ids: { completed: string; failed: string; suspended: string; script: string; workflow: string };
  stop(): Promise<void>;
}

async function invocationIdOf(rs: RestateServer, target: string): Promise<string> {
  const rows = await sql(rs.adminUrl, `SELECT id FROM sys_invocation WHERE target = '${target}' ORDER BY created_at`);
  return String(rows[0]?.id);
}

export async function startShowScenario(): Promise<ShowScenario> {
  const keys = { k1: generateLocalKey() };
  const otherKeys = { "k-other": generateLocalKey() };
  // Short inactivity timeout: the held invocation reaches `suspended` within seconds.
  const rs = await startRestate({ config: '[worker.invoker]\ninactivity-timeout = "1s"\n' });
  let endpoint: ServedEndpoint | undefined;
  const codecs: JournalCodec[] = [];
  try {
    const codec = await createJournalCodec({ keyProvider: localKeyProvider({ keys, activeKeyId: "k1" }) });
    const otherCodec = await createJournalCodec({
      keyProvider: localKeyProvider({ keys: otherKeys, activeKeyId: "k-other" }),
    });
    codecs.push(codec, otherCodec);
    const services = showServices();
    endpoint = await serveEndpoint([services.greeter, services.account, services.signup], {
      journalValueCodecProvider: () => Promise.resolve(codec),
    });
    await register(rs.adminUrl, endpoint.url);
    const ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: codec });
    const account = (key: string) => ingress.objectClient(services.account, key);

    await account("alice").deposit({ amount: 42, note: "first deposit" });
    await Promise.resolve(account("alice").fail("insufficient funds")).catch(() => undefined);
    await account("mallory").remember(SCRIPT_VALUE);
    await ingress.objectSendClient(services.account, "bob").hold("waiting for approval");
    const signup = ingress.workflowClient(services.signup, "ada");
    await signup.workflowSubmit("ada@example.com");
    await signup.verify("123456");
    await signup.workflowAttach();
    await eventually(() => account("bob").awakeableId());

    const admin = createAdminClient({ baseUrl: rs.adminUrl });
    // carol: one value under a key the reader lacks, one plaintext value (as before encryption).
    await admin.services.modifyState("Account", {
      objectKey: "carol",
      newState: {
        sealed: otherCodec.encode(new TextEncoder().encode(JSON.stringify("secret under k-other"))),
        legacy: new TextEncoder().encode(JSON.stringify({ plain: true })),
      },
    });
    await admin.services.modifyState("Account", {
      objectKey: MARKUP_OBJECT_KEY,
      newState: { [MARKUP_STATE_KEY]: codec.encode(new TextEncoder().encode(JSON.stringify(SCRIPT_VALUE))) },
    });
    await eventually(async () => {
      const rows = await sql(rs.adminUrl, "SELECT key FROM state WHERE service_key = 'carol' OR key LIKE '<img%'");
      return rows.length === 3 ? rows : null;
    });
    const ids = {
      completed: await invocationIdOf(rs, "Account/alice/deposit"),
      failed: await invocationIdOf(rs, "Account/alice/fail"),
      suspended: await invocationIdOf(rs, "Account/bob/hold"),
      script: await invocationIdOf(rs, "Account/mallory/remember"),
      workflow: await invocationIdOf(rs, "Signup/ada/run"),
    };
    await eventually(async () => {
      const rows = await sql(rs.adminUrl, `SELECT status FROM sys_invocation WHERE id = '${ids.suspended}'`);
      return rows[0]?.status === "suspended" ? true : null;
    }, 30_000);
    const stop = async () => {
      for (const c of codecs) c.close();
      await endpoint?.stop();
      await rs.stop();
    };
    return { rs, admin, keys, ids, stop };
  } catch (error) {
    for (const c of codecs) c.close();
    await endpoint?.stop();
    await rs.stop();
    throw error;
  }
}
