import { readFile } from "node:fs/promises";
import { CliUsageError, type CommandContext, defineCommand, invalidFlag, parseFlag } from "@restate-connect/cli-kit";
import { formatReport } from "../check/format.js";
import { checkInvokePolicy } from "../check/invoke.js";
import type { CheckReport } from "../check/report.js";
import { checkTrustPolicy } from "../check/trust.js";
import { TRUST_OPTIONS, trustExpectations } from "./trust-flags.js";

/** The text of a `--policy`/`--invoke-policy` file, `-` meaning standard input. */
async function readInput(context: CommandContext, flag: string, path: string): Promise<string> {
  if (path === "-") {
    if (!context.io.stdin) throw invalidFlag(flag, "- needs standard input, which this environment does not have");
    return new TextDecoder().decode(await context.io.stdin());
  }
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw invalidFlag(flag, `cannot read ${JSON.stringify(path)} (${typeof code === "string" ? code : "read error"})`);
  }
}

function printReport(context: CommandContext, report: CheckReport): number {
  context.print(() => formatReport(report).replace(/\n$/, ""), report);
  return report.ok ? 0 : 1;
}

export const check = defineCommand({
  name: "check",
  summary: "analyse an existing trust or invoke policy (exit 1 when it has errors)",
  options: {
    policy: {
      type: "string",
      value: "<file|->",
      description: "trust policy JSON or `aws iam get-role` output; - reads standard input",
    },
    "invoke-policy": {
      type: "string",
      value: "<file|->",
      description: "an invoke (identity) policy to check for anything beyond lambda:InvokeFunction on named functions",
    },
    ...TRUST_OPTIONS,
  },
  details: [
    "With --policy, give what the role should trust: --environment-id, or --principal-arn [--external-id].",
    "The check fails closed: any statement it does not fully understand is an error.",
  ].join("\n"),
  async run(context) {
    const trustFile = context.flags.string("policy");
    const invokeFile = context.flags.string("invoke-policy");
    if (trustFile !== undefined && invokeFile !== undefined) {
      throw new CliUsageError("conflicting_options", "give --policy or --invoke-policy, not both");
    }
    if (invokeFile !== undefined) {
      for (const flag of ["environment-id", "principal-arn", "external-id"]) {
        if (context.flags.given(flag)) {
          throw new CliUsageError(
            "conflicting_options",
            `--${flag} is for --policy (trust policies), not --invoke-policy`,
          );
        }
      }
      const text = await readInput(context, "invoke-policy", invokeFile);
      return printReport(
        context,
        parseFlag("invoke-policy", () => checkInvokePolicy(text)),
      );
    }
    if (trustFile === undefined) {
      throw new CliUsageError(
        "missing_option",
        "give --policy <file> (or --invoke-policy <file>); - reads standard input",
      );
    }
    const expectations = trustExpectations(context);
    const text = await readInput(context, "policy", trustFile);
    return printReport(
      context,
      parseFlag("policy", () => checkTrustPolicy(text, expectations)),
    );
  },
});
