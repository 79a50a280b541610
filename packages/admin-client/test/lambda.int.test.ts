import { createServer, type IncomingMessage } from "node:http";
import { freePort, type RestateServer, startRestate } from "@restate-connect/testkit";
import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { AdminApiError, createAdminClient } from "../src/index.js";
import { greeterV1 } from "./services.js";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Answer = { status: number; type: string; body: string };

async function recorder(answer: (r: Recorded) => Answer, answerAsync?: (r: Recorded) => Promise<Answer>) {
  const requests: Recorded[] = [];
  const port = await freePort();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      void (answerAsync ?? (async (r: Recorded) => answer(r)))(recorded).then(({ status, type, body }) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let sts: Awaited<ReturnType<typeof recorder>>;
let lambda: Awaited<ReturnType<typeof recorder>>;
let server: RestateServer;

const ROLE = "arn:aws:iam::123456789012:role/restate-invoker";
const ROTATED_ROLE = "arn:aws:iam::123456789012:role/restate-invoker-2";
const ASSUMED_KEY_ID = "ASIATESTASSUMEDROLE01";
const lambdaHandler = createEndpointHandler({ services: [greeterV1] }) as (
  event: unknown,
  context: unknown,
) => Promise<unknown>;

beforeAll(async () => {
  // A stand-in for STS: grants the role only to callers that ask for exactly ROLE.
  sts = await recorder((request) => {
    const role = new URLSearchParams(request.body).get("RoleArn");
    if (role !== ROLE && role !== ROTATED_ROLE) {
      return {
        status: 403,
        type: "text/xml",
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>cannot assume ${role}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      };
    }
    return {
      status: 200,
      type: "text/xml",
      body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/restate-invoker/s</Arn><AssumedRoleId>AROATEST:s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>${ASSUMED_KEY_ID}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  });
  // A stand-in for the Lambda Invoke API that runs the real SDK Lambda handler.
  lambda = await recorder(
    () => ({ status: 500, type: "application/json", body: "{}" }),
    async (request) => {
      const result = await lambdaHandler(JSON.parse(request.body), {});
      return { status: 200, type: "application/json", body: JSON.stringify(result) };
    },
  );
  server = await startRestate({
    env: {
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret-example",
      AWS_REGION: "us-east-1",
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await sts?.close();
  await lambda?.close();
});

describe("Lambda deployments", () => {
  const arn = "arn:aws:lambda:us-east-1:123456789012:function:greeter:1";

  it("registers a Lambda ARN invoked through the assumed role", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl, retry: false });
    const registered = await admin.deployments.register({ arn, assumeRoleArn: ROLE }, { force: true });
    expect(registered.services.map((s) => s.name)).toEqual(["Greeter"]);

    // The server asked STS for exactly our role…
    const roles = sts.requests.map((r) => new URLSearchParams(r.body).get("RoleArn"));
    expect(roles).toContain(ROLE);
    // …and called the function named by our ARN with the credentials STS handed out for that role.
    const invoke = lambda.requests.at(-1);
    expect(decodeURIComponent(invoke?.url ?? "")).toBe(`/2015-03-31/functions/${arn}/invocations`);
    expect(String(invoke?.headers.authorization)).toContain(`Credential=${ASSUMED_KEY_ID}/`);
    expect(invoke?.headers["x-amz-security-token"]).toBe("assumed-session");

    const detail = (await admin.deployments.get(registered.id)) as { arn?: string; assume_role_arn?: string | null };
    expect(detail.arn).toBe(arn);
    expect(detail.assume_role_arn).toBe(ROLE);
  });

  it("surfaces the server's error naming a role it could not assume", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl, retry: false });
    const other = "arn:aws:iam::123456789012:role/someone-else";
    const error = await admin.deployments
      .register(
        { arn: "arn:aws:lambda:us-east-1:123456789012:function:greeter:2", assumeRoleArn: other },
        { force: true },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).restateCode).toBe("META0003");
    expect((error as AdminApiError).serverMessage).toContain(`cannot assume ${other}`);
  });

  it("rotates the assume-role ARN in place with `restate-admin deployments update`", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl, retry: false });
    const registered = await admin.deployments.register({ arn, assumeRoleArn: ROLE }, { force: true });
    const before = sts.requests.length;
    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => undefined,
      env: { RESTATE_ADMIN_URL: server.adminUrl },
    };
    expect(await run(["deployments", "update", registered.id, "--assume-role-arn", ROTATED_ROLE, "--json"], io)).toBe(
      0,
    );
    expect(JSON.parse(out.join("\n"))).toMatchObject({ id: registered.id, assume_role_arn: ROTATED_ROLE });
    // restate-server assumed the new role to reach the function before it accepted the change.
    const asked = sts.requests.slice(before).map((r) => new URLSearchParams(r.body).get("RoleArn"));
    expect(asked).toContain(ROTATED_ROLE);
    const detail = (await admin.deployments.get(registered.id)) as { assume_role_arn?: string | null };
    expect(detail.assume_role_arn).toBe(ROTATED_ROLE);
    expect((await admin.deployments.get(registered.id)).services.map((s) => s.name)).toEqual(["Greeter"]);
  });

  it("rejects malformed ARNs before sending anything", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl, retry: false });
    const before = sts.requests.length + lambda.requests.length;
    await expect(admin.deployments.register({ arn: "arn:aws:lambda:us-east-1:123:function:x" })).rejects.toMatchObject({
      code: "invalid_option",
      option: "target.arn",
    });
    await expect(admin.deployments.register({ arn, assumeRoleArn: "restate-invoker" })).rejects.toMatchObject({
      code: "invalid_option",
      option: "target.assumeRoleArn",
    });
    expect(sts.requests.length + lambda.requests.length).toBe(before);
  });
});
