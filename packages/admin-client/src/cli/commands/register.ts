import { CliUsageError, type CommandContext, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { restateCloudEnvironmentOf, restateCloudTunnelUrl } from "../../cloud.js";
import { InvalidOptionError } from "../../errors.js";
import { type DeploymentTarget, type RegisterOptions, registerBody } from "../../operations/deployments.js";
import { adminClientFor, adminUrlOf, adminUrlsOf } from "../context.js";
import { parseDuration } from "../duration.js";
import { headerPairs, namedPairs } from "../headers.js";
import { renderTable } from "../table.js";

export const register = defineCommand({
  name: "register",
  usage: "<url|arn>",
  summary: "Register a deployment (HTTP endpoint or Lambda ARN) and discover its services",
  args: { min: 1, max: 1 },
  options: {
    "assume-role-arn": { type: "string", value: "<arn>", description: "Role Restate assumes to invoke the Lambda" },
    force: { type: "boolean", description: "Replace an existing deployment at the same address" },
    breaking: { type: "boolean", description: "Allow breaking changes to existing services" },
    "dry-run": { type: "boolean", description: "Discover and report, register nothing" },
    header: {
      type: "string",
      multiple: true,
      value: "<name=value>",
      description: "Header Restate sends to the deployment",
    },
    "http1.1": { type: "boolean", description: "Discover over HTTP/1.1 (request-response mode)" },
    metadata: {
      type: "string",
      multiple: true,
      value: "<name=value>",
      description: "Deployment metadata; overrides what is read from CI",
    },
    "no-ci-metadata": {
      type: "boolean",
      description: "Do not fill github.repository, github.actions.run.id, git.commit.sha from GITHUB_* variables",
    },
    "tunnel-name": {
      type: "string",
      value: "<name>",
      description: "Register <url> as reached through this Restate Cloud tunnel (needs a Restate Cloud --url)",
    },
    "gcp-id-token": {
      type: "boolean",
      description: "Restate sends a Google ID token (X-Serverless-Authorization) to the deployment, e.g. Cloud Run",
    },
    "gcp-audience": { type: "string", value: "<aud>", description: "Audience of that token (implies --gcp-id-token)" },
    "gcp-impersonate-service-account": {
      type: "string",
      value: "<email>",
      description: "Mint the token for this service account (implies --gcp-id-token)",
    },
    "wait-ready": {
      type: "string",
      value: "<duration>",
      description: "First wait until the admin API is up (e.g. 60s)",
    },
  },
  async run(context) {
    const address = context.args[0] as string;
    const isArn = address.startsWith("arn:");
    const role = context.flags.string("assume-role-arn");
    if (!isArn && role !== undefined) throw invalidFlag("assume-role-arn", "needs a Lambda ARN as the address");
    if (isArn && context.flags.boolean("http1.1")) throw invalidFlag("http1.1", "applies to HTTP deployments only");
    const waitReady = context.flags.string("wait-ready");
    const waitReadyMs =
      waitReady === undefined
        ? undefined
        : parseFlag("wait-ready", () => {
            const ms = parseDuration(waitReady);
            if (ms === undefined)
              throw new RangeError(`"${waitReady}" is not a duration of at most 24 days (e.g. 60s)`);
            return ms;
          });
    const tunnelName = context.flags.string("tunnel-name");
    if (isArn && tunnelName !== undefined) throw invalidFlag("tunnel-name", "applies to HTTP deployments only");
    const target: DeploymentTarget = isArn
      ? role === undefined
        ? { arn: address }
        : { arn: address, assumeRoleArn: role }
      : { uri: tunnelName === undefined ? address : tunnelUrl(context, tunnelName, address) };
    const audience = context.flags.string("gcp-audience");
    const impersonate = context.flags.string("gcp-impersonate-service-account");
    const googleIdToken =
      context.flags.boolean("gcp-id-token") || audience !== undefined || impersonate !== undefined
        ? {
            ...(audience === undefined ? {} : { audience }),
            ...(impersonate === undefined ? {} : { impersonateServiceAccount: impersonate }),
          }
        : undefined;
    if (isArn && googleIdToken) throw invalidFlag("gcp-id-token", "applies to HTTP deployments only");
    const options: RegisterOptions = {
      force: context.flags.boolean("force"),
      breaking: context.flags.boolean("breaking"),
      dryRun: context.flags.boolean("dry-run"),
      headers: headerPairs("header", context.flags.strings("header"), context),
      useHttp11: context.flags.boolean("http1.1"),
      metadata: namedPairs("metadata", context.flags.strings("metadata")),
      ...(context.flags.boolean("no-ci-metadata") ? {} : { ciEnvironment: context.io.env }),
      ...(googleIdToken ? { googleIdToken } : {}),
    };
    checkBeforeSending(() => registerBody(target, options));

    const admin = adminClientFor(context);
    if (waitReadyMs !== undefined) {
      const url = adminUrlOf(context);
      context.progress(`waiting up to ${waitReadyMs / 1000}s for ${url} …`);
      await admin.waitUntilReady({
        timeoutMs: waitReadyMs,
        onWaiting: ({ elapsedMs, problem }) =>
          context.progress(`… still waiting for ${url} (${(elapsedMs / 1000).toFixed(1)}s): ${problem}`),
      });
    }
    const result = await admin.deployments.register(target, options);
    const verb = options.dryRun ? "would register" : result.created ? "registered" : "updated or unchanged";
    context.print(
      () =>
        `${verb} deployment ${result.id}\n${renderTable(
          ["service", "type", "revision"],
          result.services.map((s) => [s.name, s.ty, s.revision]),
        )}`,
      { ...result, dry_run: options.dryRun },
    );
    return undefined;
  },
});

/** The tunnel URL for `address`, with the environment taken from the Restate Cloud admin URL. */
function tunnelUrl(context: CommandContext, tunnelName: string, address: string): string {
  const environment = restateCloudEnvironmentOf(adminUrlsOf(context)[0] as string);
  if (!environment) {
    throw invalidFlag(
      "tunnel-name",
      "needs a Restate Cloud admin URL (--url or RESTATE_ADMIN_URL https://<id>.env.<region>.restate.cloud:9070)",
    );
  }
  return parseFlag("tunnel-name", () => restateCloudTunnelUrl({ ...environment, tunnelName }, address));
}

const FLAG_OF_OPTION: Record<string, string> = {
  metadata: "metadata",
  googleIdToken: "gcp-id-token",
  "googleIdToken.audience": "gcp-audience",
  "googleIdToken.impersonateServiceAccount": "gcp-impersonate-service-account",
  headers: "header",
  "target.assumeRoleArn": "assume-role-arn",
  useHttp11: "http1.1",
};

/** Validates the command line before any request, naming the flag or argument at fault (exit 2). */
function checkBeforeSending(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const problem = error.message.replace(/^invalid [^:]+: /, "");
    const flag = FLAG_OF_OPTION[error.option];
    if (flag) throw invalidFlag(flag, `is not valid: ${problem}`);
    throw new CliUsageError("invalid_option", `<url|arn> is not valid: ${problem}`);
  }
}
