import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AdminClient, createAdminClient } from "@restate-connect/admin-client";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import {
  freePort,
  isAlive,
  type ManagedProcess,
  type RestateServer,
  spawnManaged,
  startRestate,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { type CheckoutInput, runCheckout } from "../src/checkout.ts";
import { createCodec } from "../src/codec.ts";
import { postDirect } from "./attacker.ts";
import { printKeepRunning } from "./keep-running.ts";
import type { Reporter } from "./reporter.ts";
import { events, tail, waitFor, waitForEvent } from "./service-events.ts";
import type { Stack } from "./stack.ts";
import { findPlaintext, preview, readStoredData } from "./stored-data.ts";

export interface DemoOptions {
  keepRunning: boolean;
  /** Start the service trusting a different key than the server signs with (shows a misconfiguration). */
  wrongKey: boolean;
  reporter: Reporter;
  /** Resolves when the user asks to stop (Ctrl-C); used by `--keep-running`. */
  waitForStop: () => Promise<void>;
}

export interface StepOutcome {
  step: number;
  name: string;
  ok: boolean;
  durationMs: number;
  details?: Record<string, unknown>;
  error?: string;
}

export interface DemoSummary {
  ok: boolean;
  durationMs: number;
  steps: StepOutcome[];
  /** Every process the demo started, and every temporary directory it created. */
  pids: number[];
  tempDirs: string[];
  failedStep?: number;
  serverLogTail?: string;
  serviceLogTail?: string;
}

export class StepError extends Error {
  readonly step: number;
  constructor(step: number, message: string) {
    super(message);
    this.step = step;
  }
}

const SERVICE_ENTRY = fileURLToPath(new URL("../src/server.ts", import.meta.url));

/** The values that must never appear in Restate's storage: the card number and everything personal. */
const CHECKOUT: Omit<CheckoutInput, "customerId" | "paymentId"> = {
  profile: { name: "Ada Lovelace", email: "ada@example.com", cardNumber: "4242424242424242" },
  amountCents: 4200,
  description: "Analytical Engine, spare gears",
  approval: { approvedBy: "ada@example.com", code: "3DS-ZX81-7781" },
};
const SECRETS = [
  CHECKOUT.profile.cardNumber,
  CHECKOUT.profile.name,
  CHECKOUT.profile.email,
  CHECKOUT.description,
  CHECKOUT.approval.code,
];

/** Runs steps 1–7. Never throws: failures are reported in the summary (and everything is stopped). */
export async function runDemo(options: DemoOptions, stack: Stack): Promise<DemoSummary> {
  const { reporter: say } = options;
  const started = Date.now();
  const steps: StepOutcome[] = [];
  let server: RestateServer | undefined;
  let service: ManagedProcess | undefined;

  const step = async (
    number: number,
    name: string,
    explanation: string,
    work: () => Promise<Record<string, unknown>>,
  ) => {
    say.step(number, name, explanation);
    const stepStarted = Date.now();
    try {
      const details = await work();
      steps.push({ step: number, name, ok: true, durationMs: Date.now() - stepStarted, details });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      steps.push({ step: number, name, ok: false, durationMs: Date.now() - stepStarted, error: message });
      throw new StepError(number, message);
    }
  };

  let workDir = "";
  const customerId = `ada-${randomBytes(3).toString("hex")}`;
  const paymentId = `pay-${randomBytes(4).toString("hex")}`;
  const journalKey = randomBytes(32).toString("base64");
  const journalKeyId = "demo-1";
  let signingKeyPem = "";
  let publicKey = "";
  let serviceUrl = "";
  let admin: AdminClient | undefined;

  try {
    workDir = mkdtempSync(join(tmpdir(), "restate-connect-demo-"));
    stack.addTempDir(workDir);
    await step(
      1,
      "Start restate-server with a fresh signing key",
      "restate-server signs every request it sends to services with an Ed25519 key; the service will accept nothing else.",
      async () => {
        ({ privateKeyPem: signingKeyPem, publicKey } = generateKeyPair());
        say.ok(`generated an Ed25519 signing key; its public half is ${publicKey}`);
        const starting = startRestate({ signingKeyPem });
        stack.addStarting(starting, (started) => started.stop());
        server = await say.wait("starting restate-server 1.7.12 on free loopback ports", starting);
        stack.addProcess(server.pid, server.stop);
        stack.tempDirs.push(server.baseDir);
        say.ok(`restate-server is up (pid ${server.pid}): ingress ${server.ingressUrl}, admin ${server.adminUrl}`);
        return { publicKey, serverPid: server.pid, adminUrl: server.adminUrl, ingressUrl: server.ingressUrl };
      },
    );

    await step(
      2,
      "Start the payments service",
      "examples/node-service as its own process: SDK endpoint behind the identity check, journal values encrypted with a fresh local key.",
      async () => {
        const trustedKey = options.wrongKey ? generateKeyPair().publicKey : publicKey;
        const port = await freePort();
        serviceUrl = `http://127.0.0.1:${port}`;
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const name of ["KMS_KEY_ID", "JOURNAL_KEY_FILE"]) delete env[name];
        Object.assign(env, {
          PORT: String(port),
          RESTATE_IDENTITY_KEYS: trustedKey,
          JOURNAL_KEY: journalKey,
          JOURNAL_KEY_ID: journalKeyId,
          RESTATE_LOGGING: "WARN",
        });
        const child = spawnManaged(process.execPath, ["--disable-warning=ExperimentalWarning", SERVICE_ENTRY], { env });
        service = child;
        stack.addProcess(child.pid, child.stop);
        const ready = await say.wait("waiting for the service to listen", waitForEvent(child, "listening", 20_000));
        say.ok(
          `service listening on ${serviceUrl} (pid ${child.pid}), journal encryption: ${String(ready.encryption)}`,
        );
        say.line(`it trusts exactly one key: ${trustedKey}`);
        if (options.wrongKey) say.warn("--wrong-key: that is NOT the key restate-server signs with");
        return { servicePid: child.pid, serviceUrl, encryption: ready.encryption, journalKeyId, trustedKey };
      },
    );

    await step(
      3,
      "Register the service with @restate-connect/admin-client",
      "Restate discovers the service's handlers; the discovery request is signed, so the service lets it through.",
      async () => {
        admin = createAdminClient({ baseUrl: server!.adminUrl });
        await admin.waitUntilReady({ timeoutMs: 30_000 });
        const registered = await say.wait(
          "registering",
          admin.deployments.register({ uri: serviceUrl }, { force: true }),
        );
        const services = registered.services
          .map((svc) => ({
            name: svc.name,
            type: svc.ty,
            handlers: svc.handlers.map((handler) => handler.name).sort(),
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        say.ok(`deployment ${registered.id} registered; discovered services:`);
        for (const svc of services) say.line(`  ${svc.name} (${svc.type}): ${svc.handlers.join(", ")}`);
        return { deploymentId: registered.id, services };
      },
    );

    let receiptText = "";
    await step(
      4,
      "Call it through ingress with the encrypting client",
      "The client encrypts inputs and decrypts outputs with the same journal key: save a profile, start a payment, approve it, get the receipt.",
      async () => {
        const codec = await createCodec({ kind: "local", keyId: journalKeyId, key: journalKey });
        try {
          const ingress = clients.connect({ url: server!.ingressUrl, journalValueCodec: codec });
          const result = await say.wait(
            "running the checkout",
            runCheckout(ingress, { customerId, paymentId, ...CHECKOUT }),
          );
          receiptText = JSON.stringify(result.receipt);
          say.ok(result.saved);
          say.ok("receipt, in plaintext, as the client sees it:");
          for (const line of JSON.stringify(result.receipt, null, 2).split("\n")) say.line(`  ${line}`);
          return { customerId, paymentId, saved: result.saved, receipt: result.receipt };
        } finally {
          codec.close();
        }
      },
    );

    await step(
      5,
      "Look at what Restate stored",
      "Admin SQL (POST /query) over state, journal and promise tables for this checkout. The operator sees only ciphertext.",
      async () => {
        const stored = await say.wait(
          "querying state, sys_journal and sys_promise",
          readStoredData(admin!, [customerId, paymentId]),
        );
        // State and promise values are the codec's envelopes themselves; journal entries are Restate's
        // protobuf records around them, so show the ones that carry a value (the bigger ones).
        const shown = [
          ...stored.values.filter((value) => value.table !== "sys_journal"),
          ...stored.values.filter((value) => value.table === "sys_journal" && value.bytes.length >= 100).slice(0, 4),
        ];
        for (const value of shown) {
          const p = preview(value.bytes);
          say.line(`${value.label} (${p.size} B)`);
          say.line(`    hex ${p.hex}`);
          say.line(`    b64 ${p.base64}`);
        }
        say.line(`… and ${stored.values.length - shown.length} more stored values, all scanned below`);
        const hits = findPlaintext(stored.values, [...SECRETS, receiptText]);
        const textHits = SECRETS.filter((secret) => stored.responseText.includes(secret));
        // Entry types, handler names and state keys are not encrypted (by design), so the state key
        // must be visible in the raw journal bytes: proof that the scan really reads what is stored.
        const controlVisible = findPlaintext(stored.values, ['"profile"', "profile"]).length > 0;
        if (stored.counts.state === 0 || stored.counts.journal === 0) {
          throw new Error(`expected stored state and journal rows, found ${JSON.stringify(stored.counts)}`);
        }
        if (!controlVisible)
          throw new Error("the scan could not see the (unencrypted) state key name; it proves nothing");
        if (hits.length > 0 || textHits.length > 0) {
          const where = [...hits.map((hit) => hit.label), ...textHits.map(() => "SQL answer text")];
          throw new Error(`plaintext found in Restate's storage: ${where.join("; ")}`);
        }
        say.ok(
          `scanned ${stored.values.length} stored values (${stored.counts.state} state, ${stored.counts.journal} journal, ${stored.counts.promises} promise rows): ` +
            `none contains the card number, name, e-mail, description or approval code`,
        );
        say.line("(entry types, handler names and state keys stay visible by design; only values are encrypted)");
        return {
          counts: stored.counts,
          valuesScanned: stored.values.length,
          markersChecked: SECRETS.length + 1,
          plaintextFound: false,
          controlVisible,
          previews: shown.map((value) => ({ label: value.label, ...preview(value.bytes) })),
        };
      },
    );

    await step(
      6,
      "The attacker's view",
      "Calling the service port directly, without Restate: no signature, a token from another key, a real token replayed on another path.",
      async () => {
        const foreign = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
        const genuine = createSigner({ privateKeyPem: signingKeyPem });
        const before = events(service!, "identity_rejected").length;
        const attacks = [
          { attack: "no signature", path: "/discover", headers: {} },
          { attack: "token signed by a different key", path: "/discover", headers: await foreign.sign("/discover") },
          {
            attack: "genuine token replayed on another path",
            path: "/invoke/customer/profile",
            headers: await genuine.sign("/discover"),
          },
        ];
        const responses = [];
        for (const attack of attacks) {
          const response = await postDirect(serviceUrl, attack.path, { ...attack.headers });
          responses.push({ attack: attack.attack, path: attack.path, status: response.status, body: response.body });
          if (response.status !== 401) {
            throw new Error(`${attack.attack}: expected HTTP 401 from the service, got ${response.status}`);
          }
        }
        const rejections = await waitFor(
          () => {
            const seen = events(service!, "identity_rejected").slice(before);
            return seen.length >= attacks.length ? seen : undefined;
          },
          5000,
          "the service's onReject hook to report every rejected request",
        );
        responses.forEach((response, index) => {
          const rejection = rejections[index];
          say.ok(`${response.attack}: POST ${response.path} → HTTP ${response.status} ${response.body}`);
          say.line(`    onReject saw: ${String(rejection?.code)} — ${String(rejection?.message)}`);
        });
        return {
          responses,
          rejections: rejections.map((rejection) => ({ code: rejection.code, message: rejection.message })),
        };
      },
    );

    if (options.keepRunning) {
      printKeepRunning(say, { server: server!, serviceUrl, workDir, journalKey, journalKeyId, signingKeyPem });
      await options.waitForStop();
    }

    await step(
      7,
      "Stop everything",
      "Stops the service and restate-server and removes the temporary directories.",
      async () => {
        const pids = [...stack.pids];
        await stack.stopAll();
        const alive = pids.filter(isAlive);
        if (alive.length > 0) throw new Error(`processes still alive after stopping: ${alive.join(", ")}`);
        const left = stack.tempDirs.filter((dir) => existsSync(dir));
        if (left.length > 0) throw new Error(`temporary directories not removed: ${left.join(", ")}`);
        say.ok(
          `stopped ${pids.length} processes (${pids.join(", ")}) and removed ${stack.tempDirs.length} temporary directories`,
        );
        return { stoppedPids: pids, removedTempDirs: [...stack.tempDirs] };
      },
    );
    return { ok: true, durationMs: Date.now() - started, steps, pids: [...stack.pids], tempDirs: [...stack.tempDirs] };
  } catch (error) {
    const failedStep = error instanceof StepError ? error.step : undefined;
    const summary: DemoSummary = {
      ok: false,
      durationMs: Date.now() - started,
      steps,
      pids: [...stack.pids],
      tempDirs: [...stack.tempDirs],
      ...(failedStep !== undefined ? { failedStep } : {}),
      ...(server ? { serverLogTail: tail(server.logs()) } : {}),
      ...(service ? { serviceLogTail: tail(service.logs()) } : {}),
    };
    await stack.stopAll();
    return summary;
  }
}
