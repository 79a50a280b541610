import { CliUsageError, type CommandContext, type OptionSpec, parseFlag } from "@restate-connect/cli-kit";
import { invokePolicy } from "../invoke-policy.js";

export const FUNCTION_OPTION: OptionSpec = {
  type: "string",
  multiple: true,
  value: "<arn>",
  description: "Lambda function ARN; unqualified covers all its versions and aliases",
};

/** The `--function` values, checked together (one partition, valid ARNs). */
export function functionArns(context: CommandContext): string[] {
  const functions = context.flags.strings("function");
  if (functions.length === 0)
    throw new CliUsageError("missing_option", "give at least one --function <Lambda function ARN>");
  parseFlag("function", () => invokePolicy({ functionArns: functions }));
  return functions;
}
