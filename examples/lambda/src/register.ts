import { type AdminClient, createAdminClient, type RegisterResult } from "@restate-connect/admin-client";
import { ExampleConfigError } from "./errors.ts";

export interface RegisterFunctionOptions {
  /** Restate admin API, e.g. `restateCloudEndpoints({ environmentId, region }).adminUrl` or `http://restate:9070`. */
  adminUrl: string;
  /** Restate Cloud API key (or what a proxy in front of the admin API expects). */
  token?: string;
  /** The published version to register: `arn:aws:lambda:<region>:<account>:function:<name>:<version>`. */
  functionVersionArn: string;
  /** The invoker role Restate assumes to call the function. */
  invokerRoleArn: string;
  /** Give up waiting for the admin API after this long. Default 60 s. */
  readyTimeoutMs?: number;
  /** Use an existing client (tests, custom fetch). */
  client?: AdminClient;
}

/**
 * The post-deploy step: registers the freshly published function version with Restate, which then
 * assumes the invoker role, calls the function for discovery and starts routing invocations to it.
 *
 * @example
 * ```ts
 * await registerFunction({ adminUrl, token, functionVersionArn: outputs.FunctionVersionArn, invokerRoleArn: outputs.InvokerRoleArn });
 * ```
 */
export async function registerFunction(options: RegisterFunctionOptions): Promise<RegisterResult> {
  if (!/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+:\d+$/.test(options.functionVersionArn)) {
    throw new ExampleConfigError(
      "invalid_setting",
      `functionVersionArn must be a version-qualified Lambda ARN (…:function:<name>:<version>), got ${options.functionVersionArn}`,
    );
  }
  const admin =
    options.client ??
    createAdminClient({ baseUrl: options.adminUrl, ...(options.token !== undefined ? { token: options.token } : {}) });
  await admin.waitUntilReady({ timeoutMs: options.readyTimeoutMs ?? 60_000 });
  return admin.deployments.register({ arn: options.functionVersionArn, assumeRoleArn: options.invokerRoleArn });
}
