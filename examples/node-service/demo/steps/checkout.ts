import * as clients from "@restatedev/restate-sdk-clients";
import { type CheckoutInput, runCheckout } from "../../src/checkout.ts";
import { createCodec } from "../../src/codec.ts";
import { type DemoStep, started } from "./context.ts";

/** The values that must never appear in Restate's storage: the card number and everything personal. */
export const CHECKOUT: Omit<CheckoutInput, "customerId" | "paymentId"> = {
  profile: { name: "Ada Lovelace", email: "ada@example.com", cardNumber: "4242424242424242" },
  amountCents: 4200,
  description: "Analytical Engine, spare gears",
  approval: { approvedBy: "ada@example.com", code: "3DS-ZX81-7781" },
};

export const checkout: DemoStep = {
  number: 4,
  name: "Call it through ingress with the encrypting client",
  explanation:
    "The client encrypts inputs and decrypts outputs with the same journal key: save a profile, start a payment, approve it, get the receipt.",
  async run(context) {
    const { say, customerId, paymentId } = context;
    const codec = await createCodec({
      provider: "local",
      keys: { [context.journalKeyId]: context.journalKey },
      activeKeyId: context.journalKeyId,
    });
    try {
      const ingress = clients.connect({ url: started(context).server.ingressUrl, journalValueCodec: codec });
      const result = await say.wait(
        "running the checkout",
        runCheckout(ingress, { customerId, paymentId, ...CHECKOUT }),
      );
      context.receiptText = JSON.stringify(result.receipt);
      say.ok(result.saved);
      say.ok("receipt, in plaintext, as the client sees it:");
      for (const line of JSON.stringify(result.receipt, null, 2).split("\n")) say.line(`  ${line}`);
      return { customerId, paymentId, saved: result.saved, receipt: result.receipt };
    } finally {
      codec.close();
    }
  },
};
