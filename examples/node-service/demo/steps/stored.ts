import { findPlaintext, preview, readStoredData } from "../stored-data.ts";
import { CHECKOUT } from "./checkout.ts";
import type { DemoStep } from "./context.ts";

const SECRETS = [
  CHECKOUT.profile.cardNumber,
  CHECKOUT.profile.name,
  CHECKOUT.profile.email,
  CHECKOUT.description,
  CHECKOUT.approval.code,
];

export const stored: DemoStep = {
  number: 5,
  name: "Look at what Restate stored",
  explanation:
    "Admin SQL (POST /query) over state, journal and promise tables for this checkout. The operator sees only ciphertext.",
  async run(context) {
    const { say, admin } = context;
    if (!admin) throw new Error("the admin client is not set up");
    const data = await say.wait(
      "querying state, sys_journal and sys_promise",
      readStoredData(admin, [context.customerId, context.paymentId]),
    );
    // State and promise values are the codec's envelopes themselves; journal entries are Restate's
    // protobuf records around them, so show the ones that carry a value (the bigger ones).
    const shown = [
      ...data.values.filter((value) => value.table !== "sys_journal"),
      ...data.values.filter((value) => value.table === "sys_journal" && value.bytes.length >= 100).slice(0, 4),
    ];
    for (const value of shown) {
      const p = preview(value.bytes);
      say.line(`${value.label} (${p.size} B)`);
      say.line(`    hex ${p.hex}`);
      say.line(`    b64 ${p.base64}`);
    }
    say.line(`… and ${data.values.length - shown.length} more stored values, all scanned below`);
    const hits = findPlaintext(data.values, [...SECRETS, context.receiptText]);
    const textHits = SECRETS.filter((secret) => data.responseText.includes(secret));
    // Entry types, handler names and state keys are not encrypted (by design), so the state key
    // must be visible in the raw journal bytes: proof that the scan really reads what is stored.
    const controlVisible = findPlaintext(data.values, ['"profile"', "profile"]).length > 0;
    if (data.counts.state === 0 || data.counts.journal === 0) {
      throw new Error(`expected stored state and journal rows, found ${JSON.stringify(data.counts)}`);
    }
    if (!controlVisible) throw new Error("the scan could not see the (unencrypted) state key name; it proves nothing");
    if (hits.length > 0 || textHits.length > 0) {
      const where = [...hits.map((hit) => hit.label), ...textHits.map(() => "SQL answer text")];
      throw new Error(`plaintext found in Restate's storage: ${where.join("; ")}`);
    }
    say.ok(
      `scanned ${data.values.length} stored values (${data.counts.state} state, ${data.counts.journal} journal, ${data.counts.promises} promise rows): ` +
        "none contains the card number, name, e-mail, description or approval code",
    );
    say.line("(entry types, handler names and state keys stay visible by design; only values are encrypted)");
    return {
      counts: data.counts,
      valuesScanned: data.values.length,
      markersChecked: SECRETS.length + 1,
      plaintextFound: false,
      controlVisible,
      previews: shown.map((value) => ({ label: value.label, ...preview(value.bytes) })),
    };
  },
};
