import { fileURLToPath } from "node:url";
import { SETTINGS } from "@restate-connect/example-service-settings";
import { generateKeyPair } from "@restate-connect/identity";
import { freePort, spawnManaged } from "@restate-connect/testkit";
import { waitForEvent } from "../service-events.ts";
import type { DemoStep } from "./context.ts";

const SERVICE_ENTRY = fileURLToPath(new URL("../../src/server.ts", import.meta.url));

export const startService: DemoStep = {
  number: 2,
  name: "Start the payments service",
  explanation:
    "examples/node-service as its own process: SDK endpoint behind the identity check, journal values encrypted with a fresh local key.",
  async run(context) {
    const { say, stack, options } = context;
    const trustedKey = options.wrongKey ? generateKeyPair().publicKey : context.publicKey;
    const port = await freePort();
    context.serviceUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The demo's own settings only: nothing inherited may switch the service to other keys.
    for (const name of Object.values(SETTINGS)) delete env[name];
    Object.assign(env, {
      PORT: String(port),
      [SETTINGS.identityKeys]: trustedKey,
      [SETTINGS.journalKeys]: `${context.journalKeyId}=${context.journalKey}`,
      RESTATE_LOGGING: "WARN",
    });
    const child = spawnManaged(process.execPath, ["--disable-warning=ExperimentalWarning", SERVICE_ENTRY], { env });
    context.service = child;
    stack.addProcess(child.pid, child.stop);
    const ready = await say.wait("waiting for the service to listen", waitForEvent(child, "listening", 20_000));
    say.ok(
      `service listening on ${context.serviceUrl} (pid ${child.pid}), journal encryption: ${String(ready.encryption)}`,
    );
    say.line(`it trusts exactly one key: ${trustedKey}`);
    if (options.wrongKey) say.warn("--wrong-key: that is NOT the key restate-server signs with");
    return {
      servicePid: child.pid,
      serviceUrl: context.serviceUrl,
      encryption: ready.encryption,
      journalKeyId: context.journalKeyId,
      trustedKey,
    };
  },
};
