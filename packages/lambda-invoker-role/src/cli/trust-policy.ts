import { defineCommand } from "@restate-connect/cli-kit";
import { TRUST_OPTIONS, trustPolicyFrom } from "./trust-flags.js";

export const trustPolicy = defineCommand({
  name: "trust-policy",
  summary: "print the trust policy (Restate Cloud or self-hosted) as JSON",
  options: TRUST_OPTIONS,
  details: "Give --environment-id for Restate Cloud, or --principal-arn [--external-id] for a self-hosted server.",
  run(context) {
    const document = trustPolicyFrom(context);
    context.print(() => JSON.stringify(document, null, 2), document);
    return 0;
  },
});
