/**
 * The ingress client: runs one checkout through Restate's ingress with the same journal codec as the
 * service, and prints what it sees (plaintext). Settings: RESTATE_INGRESS_URL, RESTATE_AUTH_TOKEN and
 * the journal encryption settings (JOURNAL_KEYS / JOURNAL_KEYS_FILE / JOURNAL_KMS_KEY_ID). See the README.
 *
 *   npm run client -w examples/node-service -- [customerId] [paymentId]
 */
import { randomUUID } from "node:crypto";
import * as clients from "@restatedev/restate-sdk-clients";
import { runCheckout } from "./checkout.ts";
import { createCodec } from "./codec.ts";
import { clientConfigFromEnv } from "./config.ts";

async function main(): Promise<void> {
  const config = clientConfigFromEnv(process.env);
  const codec = await createCodec(config.encryption);
  try {
    const ingress = clients.connect({
      url: config.ingressUrl,
      journalValueCodec: codec,
      ...(config.authToken ? { headers: { authorization: `Bearer ${config.authToken}` } } : {}),
    });
    const [customerId = "ada", paymentId = `pay-${randomUUID()}`] = process.argv.slice(2);
    const result = await runCheckout(ingress, {
      customerId,
      paymentId,
      profile: { name: "Ada Lovelace", email: "ada@example.com", cardNumber: "4242424242424242" },
      amountCents: 4200,
      description: "Analytical Engine, spare gears",
      approval: { approvedBy: "ada@example.com", code: "314159" },
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    codec.close();
  }
}

main().catch((error: unknown) => {
  const { code, message } = error as { code?: unknown; message?: unknown };
  console.error(`checkout failed${typeof code === "string" ? ` (${code})` : ""}: ${String(message ?? error)}`);
  process.exit(1);
});
