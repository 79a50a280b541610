import { defineCommand } from "@restate-connect/cli-kit";
import { redactHeaderValues } from "../../redact.js";
import type { DeploymentResponse } from "../../types.js";
import { adminClientFor } from "../context.js";
import { renderTable } from "../table.js";

export const deploymentsList = defineCommand({
  name: "deployments list",
  aliases: ["deployments"],
  summary: "List deployments with their status: active, draining or drained",
  options: {
    "show-secrets": {
      type: "boolean",
      description: "Print the values of secret-looking headers (x-api-key, *token*, …) instead of [redacted]",
    },
  },
  async run(context) {
    const deployments = await adminClientFor(context).deployments.list();
    const shown = context.flags.boolean("show-secrets") ? deployments : deployments.map(withoutSecretHeaders);
    context.print(
      () =>
        renderTable(
          ["id", "status", "address", "services", "created at"],
          shown.map((d) => [d.id, d.status, addressOf(d), d.services.map((s) => s.name).join(","), d.created_at]),
        ),
      shown,
    );
    return undefined;
  },
});

export function addressOf(deployment: DeploymentResponse): string {
  return "uri" in deployment ? deployment.uri : deployment.arn;
}

/** The deployment with the values of its secret-looking `additional_headers` redacted. */
export function withoutSecretHeaders<D extends { additional_headers?: Record<string, string> }>(deployment: D): D {
  if (!deployment.additional_headers) return deployment;
  return { ...deployment, additional_headers: redactHeaderValues(deployment.additional_headers) };
}
