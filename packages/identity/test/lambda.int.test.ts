import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startRestate } from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";
import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
import type { Context as LambdaContext } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdapterRejection } from "../src/adapters/core.js";
import { identityOf, withIdentity } from "../src/adapters/lambda.js";
import { generateKeyPair } from "../src/index.js";

const greeter = restate.service({
  name: "LambdaGreeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `hello ${name} from lambda` },
});

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:svc";

/**
 * A stand-in for the Lambda Invoke API: restate-server (pointed here with AWS_ENDPOINT_URL_LAMBDA)
 * POSTs Restate's Lambda payload; we run the real SDK Lambda handler, wrapped by our adapter, in
 * process and answer with its result as Lambda would.
 */
function fakeLambda(handlers: Map<string, (event: unknown, context: LambdaContext) => Promise<unknown>>) {
  const payloads: { url: string; payload: Record<string, unknown> }[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? "";
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(url);
    const functionName = match ? decodeURIComponent(match[1] as string) : "";
    const handler = handlers.get(functionName.replace(/:\d+$/, ""));
    if (!handler) {
      res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" });
      res.end(JSON.stringify({ message: `no function ${functionName}` }));
      return;
    }
    const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    payloads.push({ url, payload });
    const context = { awsRequestId: `req-${payloads.length}` } as LambdaContext;
    const result = await handler(payload, context);
    res.writeHead(200, { "content-type": "application/json", "x-amz-executed-version": "1" });
    res.end(JSON.stringify(result));
  });
  return { server, payloads };
}

describe("Lambda adapter with restate-server's real Lambda payload", () => {
  const serverKey = generateKeyPair();
  const handlers = new Map<string, (event: unknown, context: LambdaContext) => Promise<unknown>>();
  const lambda = fakeLambda(handlers);
  let rs: Awaited<ReturnType<typeof startRestate>>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => lambda.server.listen(0, "127.0.0.1", resolve));
    const port = (lambda.server.address() as AddressInfo).port;
    rs = await startRestate({
      signingKeyPem: serverKey.privateKeyPem,
      env: {
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
      },
    });
  });
  afterAll(async () => {
    await rs?.stop();
    await new Promise((resolve) => lambda.server.close(resolve));
  });

  const registerArn = (arn: string) =>
    fetch(`${rs.adminUrl}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ arn, force: true }),
    });

  it("captures the payload shape restate-server sends to Lambda", async () => {
    const rejections: AdapterRejection[] = [];
    const sdk = createEndpointHandler({ services: [greeter] });
    const verifiedAudiences: (string | undefined)[] = [];
    handlers.set(
      `${ARN}-good`,
      withIdentity(
        async (event: { path: string }, context: LambdaContext) => {
          verifiedAudiences.push(identityOf(event)?.claims.aud);
          return sdk(event, context);
        },
        { keys: [serverKey.publicKey], onReject: (r) => rejections.push(r) },
      ) as (event: unknown, context: LambdaContext) => Promise<unknown>,
    );
    const registration = await registerArn(`${ARN}-good:1`);
    expect(registration.status, await registration.clone().text()).toBe(201);
    const discovery = lambda.payloads.find((p) => decodeURIComponent(p.url).includes(`${ARN}-good`));
    expect(discovery).toBeDefined();
    const payload = discovery?.payload as Record<string, unknown>;
    // The shape the adapter relies on, as the server really sends it.
    expect(payload).toMatchObject({ path: "/discover", headers: expect.any(Object) });
    const headers = payload.headers as Record<string, string>;
    expect(headers["x-restate-signature-scheme"]).toBe("v1");
    expect(headers["x-restate-jwt-v1"]).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
    // Seen from restate-server 1.7.12: {"path":"/discover","httpMethod":"GET","headers":{accept,
    // x-restate-signature-scheme, x-restate-jwt-v1, x-restate-cluster-name},"body":"","isBase64Encoded":true}
    expect(Object.keys(payload).sort()).toEqual(["body", "headers", "httpMethod", "isBase64Encoded", "path"]);
    expect(payload.httpMethod).toBe("GET");

    const response = await fetch(`${rs.ingressUrl}/LambdaGreeter/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Ada"),
    });
    expect([response.status, await response.json()]).toEqual([200, "hello Ada from lambda"]);
    const invoke = lambda.payloads.find((p) => p.payload.path === "/invoke/LambdaGreeter/greet");
    expect(invoke?.payload).toMatchObject({ httpMethod: "POST", isBase64Encoded: true });
    expect(rejections).toEqual([]);
    // The handler saw what the adapter verified for each of the server's events.
    expect(verifiedAudiences).toEqual(expect.arrayContaining(["/discover", "/invoke/LambdaGreeter/greet"]));
    expect(verifiedAudiences).not.toContain(undefined);
  });

  it("rejects the server's requests when configured with another key: registration fails with 401", async () => {
    const rejections: AdapterRejection[] = [];
    let sdkRan = false;
    const sdk = createEndpointHandler({ services: [greeter] });
    handlers.set(
      `${ARN}-bad`,
      withIdentity(
        async (event: { path: string }, context: LambdaContext) => {
          sdkRan = true;
          return sdk(event as Parameters<typeof sdk>[0], context);
        },
        { keys: [generateKeyPair().publicKey], onReject: (r) => rejections.push(r) },
      ) as (event: unknown, context: LambdaContext) => Promise<unknown>,
    );
    const registration = await registerArn(`${ARN}-bad:1`);
    const body = await registration.text();
    expect(registration.ok).toBe(false);
    expect(body).toMatch(/401/);
    expect(sdkRan).toBe(false);
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.every((r) => r.code === "bad_signature")).toBe(true);
  });
});
