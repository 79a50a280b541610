import { CliUsageError, defineCommand, parseFlag } from "@restate-connect/cli-kit";
import { redactHeaderValues, redactUrlSecrets } from "../../redact.js";
import type { DeploymentResponse, UpdateDeploymentRequest } from "../../types.js";
import { headerMap } from "../../validate.js";
import { adminClientFor } from "../context.js";
import { headerPairs } from "../headers.js";
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

/**
 * The deployment with the values of its secret-looking `additional_headers` redacted, and the secrets
 * of its address (credentials, secret-looking query parameters such as Vercel's protection bypass).
 */
export function withoutSecretHeaders<D extends { additional_headers?: Record<string, string> }>(deployment: D): D {
  const uri = (deployment as { uri?: unknown }).uri;
  return {
    ...deployment,
    ...(typeof uri === "string" ? { uri: redactUrlSecrets(uri) } : {}),
    ...(deployment.additional_headers ? { additional_headers: redactHeaderValues(deployment.additional_headers) } : {}),
  };
}

export const deploymentsUpdate = defineCommand({
  name: "deployments update",
  usage: "<id>",
  summary: "Change a deployment in place: rotate its headers or assume-role ARN, or move its address",
  details: [
    "The deployment keeps its id, services, metadata and pinned invocations. --header replaces every",
    "header Restate sends to the deployment: give all of them (or --clear-headers for none). Restate",
    "contacts the deployment with the new settings before it accepts the change; services are",
    "re-discovered only with --overwrite.",
  ].join("\n"),
  args: { min: 1, max: 1 },
  options: {
    header: {
      type: "string",
      multiple: true,
      value: "<name=value>",
      description: "Header Restate sends to the deployment (replaces all of them)",
    },
    "clear-headers": { type: "boolean", description: "Send no extra headers from now on" },
    "assume-role-arn": { type: "string", value: "<arn>", description: "Lambda: the role Restate assumes to invoke it" },
    uri: { type: "string", value: "<url>", description: "HTTP: the deployment's new address" },
    "http1.1": { type: "boolean", description: "HTTP: talk HTTP/1.1 to the deployment from now on" },
    overwrite: {
      type: "boolean",
      description: "Re-discover and overwrite the services' schemas (allows breaking changes)",
    },
    "dry-run": { type: "boolean", description: "Check the change with the deployment, change nothing" },
    "show-secrets": { type: "boolean", description: "Print the values of secret-looking headers in the answer" },
  },
  async run(context) {
    const id = context.args[0] as string;
    const headers = headerPairs("header", context.flags.strings("header"), context);
    if (headers && context.flags.boolean("clear-headers")) {
      throw new CliUsageError("conflicting_options", "--header and --clear-headers exclude each other");
    }
    const role = context.flags.string("assume-role-arn");
    const uri = context.flags.string("uri");
    if (role !== undefined && (uri !== undefined || context.flags.boolean("http1.1"))) {
      throw new CliUsageError(
        "conflicting_options",
        "--assume-role-arn (Lambda) and --uri/--http1.1 (HTTP) exclude each other",
      );
    }
    const changes: UpdateDeploymentRequest = {
      ...(headers
        ? { additional_headers: headers }
        : context.flags.boolean("clear-headers")
          ? { additional_headers: {} }
          : {}),
      ...(role === undefined ? {} : { assume_role_arn: role }),
      ...(uri === undefined ? {} : { uri }),
      ...(context.flags.boolean("http1.1") ? { use_http_11: true } : {}),
      overwrite: context.flags.boolean("overwrite"),
      dry_run: context.flags.boolean("dry-run"),
    };
    if (Object.keys(changes).length === 2 && !changes.overwrite) {
      throw new CliUsageError(
        "missing_option",
        "nothing to change: give --header, --clear-headers, --assume-role-arn, --uri, --http1.1 or --overwrite",
      );
    }
    if (headers) parseFlag("header", () => headerMap("header", headers));
    if (role !== undefined) parseFlag("assume-role-arn", () => checkRole(role));
    if (uri !== undefined) parseFlag("uri", () => new URL(uri));
    const updated = await adminClientFor(context).deployments.update(id, changes);
    const shown = context.flags.boolean("show-secrets") ? updated : withoutSecretHeaders(updated);
    const verb = changes.dry_run ? "would update" : "updated";
    context.print(
      () =>
        `${verb} deployment ${updated.id} (${addressOf(shown)}); headers: ${
          Object.keys(updated.additional_headers ?? {}).join(", ") || "none"
        }`,
      { ...shown, dry_run: changes.dry_run },
    );
    return undefined;
  },
});

function checkRole(role: string): void {
  if (!/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(role)) {
    throw new RangeError("expected arn:<partition>:iam::<account>:role/<name>");
  }
}
