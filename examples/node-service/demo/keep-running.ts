import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RestateServer } from "@restate-connect/testkit";
import type { Reporter } from "./reporter.ts";

const IDENTITY_CLI = fileURLToPath(new URL("../../../packages/identity/dist/cli.js", import.meta.url));

/**
 * `--keep-running`: prints the addresses and ready-made commands. The journal key and the throwaway
 * signing key go to files (mode 0600) in the demo's temporary directory, never to the terminal.
 */
export function printKeepRunning(
  say: Reporter,
  stackInfo: {
    server: RestateServer;
    serviceUrl: string;
    workDir: string;
    journalKey: string;
    journalKeyId: string;
    signingKeyPem: string;
  },
): void {
  const { server, serviceUrl, workDir } = stackInfo;
  const keyFile = join(workDir, "journal-key");
  const pemFile = join(workDir, "signing-key.pem");
  writeFileSync(keyFile, `${stackInfo.journalKeyId}=${stackInfo.journalKey}\n`, { mode: 0o600 });
  writeFileSync(pemFile, stackInfo.signingKeyPem, { mode: 0o600 });
  const sql = (query: string) =>
    `curl -s ${server.adminUrl}/query -H 'content-type: application/json' -H 'accept: application/json' -d '{"query": "${query}"}'`;
  say.heading("Still running (--keep-running)", "Everything stays up until you press Ctrl-C.");
  say.line(`ingress:   ${server.ingressUrl}`);
  say.line(`admin API: ${server.adminUrl}`);
  say.line(`admin UI:  ${server.adminUrl}/ui`);
  say.line(`service:   ${serviceUrl}`);
  say.line("");
  say.line("Run another checkout with the encrypting client:");
  say.line(
    `  RESTATE_INGRESS_URL=${server.ingressUrl} JOURNAL_KEYS_FILE=${keyFile} npm run client -w examples/node-service`,
  );
  say.line("See the ciphertext Restate stores:");
  say.line(`  ${sql("SELECT service_name, service_key, key, value FROM state")}`);
  say.line("Knock on the service's door without a signature (expect 401):");
  say.line(`  curl -si --http2-prior-knowledge -X POST ${serviceUrl}/discover`);
  say.line("…and with a valid one (the demo's throwaway signing key):");
  say.line(
    `  node ${IDENTITY_CLI} sign --key ${pemFile} --path /discover --curl | curl -si --http2-prior-knowledge -K - -X POST ${serviceUrl}/discover -H 'accept: application/vnd.restate.endpointmanifest.v3+json'`,
  );
  say.line("");
  say.line("Press Ctrl-C to stop everything.");
}
