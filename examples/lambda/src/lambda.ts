/**
 * The Lambda entry point (`handler`): configuration comes from the function's environment, which
 * the CDK app sets. The handler is built on the first invocation so that a misconfigured function
 * fails that invocation with a clear error (and Restate retries it) instead of crashing the runtime.
 */
import { readHandlerConfig } from "./config.ts";
import { createHandler, type LambdaHandler } from "./handler.ts";

let built: LambdaHandler | undefined;

export const handler: LambdaHandler = (event, context) => {
  built ??= createHandler(readHandlerConfig(process.env));
  return built(event, context);
};
