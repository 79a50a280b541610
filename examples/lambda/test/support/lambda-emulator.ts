import { createServer, type Server } from "node:http";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { listenOnLoopback } from "@restate-connect/testkit";
import { verifySigV4 } from "./sigv4.ts";
import { type IssuedCredentials, readBody } from "./sts-recorder.ts";

/** What the emulator runs: the example's exported handler, called as Lambda calls it. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LambdaDecision {
  readonly functionArn: string;
  readonly callerArn: string;
  readonly roleArn: string;
  readonly decision: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
  readonly status: number;
}

export interface LambdaEmulatorOptions {
  /** moto: STS `GetCallerIdentity` and IAM role policies are read here. */
  motoEndpoint: string;
  region: string;
  /** Secrets of the credentials the caller may use (learnt from the STS recorder). */
  credentialsFor(accessKeyId: string): IssuedCredentials | undefined;
  /** Published versions: version-qualified function ARN → handler. */
  functions: Map<string, LambdaHandler>;
  trace?: (line: string) => void;
}

export interface LambdaEmulator {
  /** Point `AWS_ENDPOINT_URL_LAMBDA` here. */
  readonly url: string;
  readonly decisions: readonly LambdaDecision[];
  /** Every event the handler received (Restate's Lambda payload as sent by restate-server). */
  readonly events: readonly unknown[];
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A local stand-in for the Lambda `Invoke` API that checks what AWS would check: the SigV4 signature,
 * who the credentials belong to (moto STS `GetCallerIdentity`), and whether that role's policies allow
 * `lambda:InvokeFunction` on that exact function ARN (evaluated by iam-simulate). Only then it runs
 * the handler and answers like Lambda (200 with the handler's JSON result).
 */
export async function startLambdaEmulator(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const decisions: LambdaDecision[] = [];
  const events: unknown[] = [];
  const trace = options.trace ?? (() => {});
  const iam = new IAMClient({ endpoint: options.motoEndpoint, region: options.region, credentials: motoRoot() });

  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) =>
      send(status, { Type: "User", Message: message, message }, { "x-amzn-errortype": type });

    void (async () => {
      const body = await readBody(request);
      const rawUrl = request.url ?? "/";
      const match = INVOKE_PATH.exec(rawUrl.split("?")[0] ?? "");
      if (request.method !== "POST" || !match?.[1]) return error(404, "UnknownOperationException", "Unknown operation");
      const qualifier = new URL(rawUrl, "http://x").searchParams.get("Qualifier");
      const name = decodeURIComponent(match[1]);
      const functionArn = qualifier ? `${name}:${qualifier}` : name;

      // 1. The signature: recomputed with the secret STS issued for this access key.
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? "")?.[1] ?? "";
      const credentials = options.credentialsFor(accessKeyId);
      if (!credentials)
        return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
      const signature = await verifySigV4({ method: "POST", rawUrl, headers: request.headers, body }, credentials);
      if (!signature.ok) return error(403, "InvalidSignatureException", `Signature check failed: ${signature.reason}`);

      // 2. Who is calling: moto's STS, asked with the very same credentials.
      const sts = new STSClient({ endpoint: options.motoEndpoint, region: options.region, credentials });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      const callerArn = identity.Arn ?? "";
      const roleName = /:assumed-role\/([^/]+)\//.exec(callerArn)?.[1];
      if (!roleName) return error(403, "AccessDeniedException", `User: ${callerArn} is not an assumed role`);
      const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
      const roleArn = role?.Arn ?? "";

      // 3. What the role may do: its inline policies, evaluated for this action and this ARN.
      const policyNames = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
      const identityPolicies = [];
      for (const policyName of policyNames) {
        const document =
          (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument ??
          "{}";
        identityPolicies.push({ name: policyName, policy: JSON.parse(decodeURIComponent(document)) });
      }
      const accountId = functionArn.split(":")[4] ?? "";
      const simulation = await runSimulation(
        {
          request: {
            principal: callerArn,
            action: "lambda:InvokeFunction",
            resource: { resource: functionArn, accountId },
            contextVariables: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": identity.Account ?? "" },
          },
          identityPolicies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      if (simulation.resultType === "error") throw new Error(`iam-simulate: ${simulation.errors.message}`);
      const decision = simulation.overallResult;
      const status = decision === "Allowed" ? 200 : 403;
      decisions.push({ functionArn, callerArn, roleArn, decision, status });
      trace(`lambda  Invoke ${functionArn} signed by ${callerArn} (SigV4 verified) → iam-simulate: ${decision}`);
      if (decision !== "Allowed") {
        return error(
          403,
          "AccessDeniedException",
          `User: ${callerArn} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn} because no identity-based policy allows the lambda:InvokeFunction action`,
        );
      }

      // 4. The function itself.
      const handler = options.functions.get(functionArn);
      if (!handler) return error(404, "ResourceNotFoundException", `Function not found: ${functionArn}`);
      const event: unknown = JSON.parse(body.toString("utf8"));
      events.push(event);
      const eventPath = (event as { path?: unknown }).path;
      trace(`lambda  → handler ${String(eventPath)} (Restate's Lambda payload, identity headers included)`);
      try {
        const result = await handler(event, lambdaContext(functionArn));
        send(200, result, { "x-amz-executed-version": functionArn.split(":")[7] ?? "$LATEST" });
      } catch (failure) {
        const cause = failure instanceof Error ? failure : new Error(String(failure));
        send(200, { errorType: cause.name, errorMessage: cause.message }, { "x-amz-function-error": "Unhandled" });
      }
    })().catch((failure: unknown) => {
      if (!response.headersSent) error(500, "ServiceException", `emulator failure: ${String(failure)}`);
    });
  });

  const listener = await listenOnLoopback(server);
  return {
    url: listener.url,
    decisions,
    events,
    stop: listener.close,
  };
}

function motoRoot() {
  return { accessKeyId: "testing", secretAccessKey: "testing" };
}

function lambdaContext(functionArn: string) {
  const [, , , , , , functionName = "", version = "$LATEST"] = functionArn.split(":");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: version,
    invokedFunctionArn: functionArn,
    memoryLimitInMB: "512",
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
