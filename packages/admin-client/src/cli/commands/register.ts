import { CliUsageError, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { InvalidOptionError } from "../../errors.js";
import { type DeploymentTarget, registerBody } from "../../operations/deployments.js";
import { adminClientFor, adminUrlOf } from "../context.js";
import { parseDuration } from "../duration.js";
import { headerPairs } from "../headers.js";
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
            if (ms === undefined) throw new RangeError(`"${waitReady}" is not a duration (e.g. 60s)`);
            return ms;
          });
    const target: DeploymentTarget = isArn
      ? role === undefined
        ? { arn: address }
        : { arn: address, assumeRoleArn: role }
      : { uri: address };
    const options = {
      force: context.flags.boolean("force"),
      breaking: context.flags.boolean("breaking"),
      dryRun: context.flags.boolean("dry-run"),
      headers: headerPairs("header", context.flags.strings("header")),
      useHttp11: context.flags.boolean("http1.1"),
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

const FLAG_OF_OPTION: Record<string, string> = {
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
