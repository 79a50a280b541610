import { createServer } from "node:http";
import { type LoopbackListener, listenOnLoopback, type RestateServer, startRestate } from "@restate-connect/testkit";
import { createEndpointHandler } from "@restatedev/restate-sdk/lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../src/index.js";
import { apply, parseConfig, plan, rollback } from "../src/lifecycle/index.js";
import { versioned } from "./lifecycle-services.js";

const ROLES = ["arn:aws:iam::123456789012:role/invoker-a", "arn:aws:iam::123456789012:role/invoker-b"];
const ARN = "arn:aws:lambda:us-east-1:123456789012:function:planned:3";

let server: RestateServer;
let sts: LoopbackListener;
let lambda: LoopbackListener;
/** Roles the server assumed, in order. */
const assumed: string[] = [];

/** Stand-ins for STS (grants only ROLES) and the Lambda Invoke API (runs the real SDK Lambda handler). */
async function standIns() {
  const handler = createEndpointHandler({ services: [versioned("LambdaPlanned", "l3")] }) as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  const body = (req: import("node:http").IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString()));
    });
  sts = await listenOnLoopback(
    createServer(async (req, res) => {
      const role = new URLSearchParams(await body(req)).get("RoleArn") ?? "";
      assumed.push(role);
      res.writeHead(ROLES.includes(role) ? 200 : 403, { "content-type": "text/xml" });
      res.end(
        ROLES.includes(role)
          ? `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>${role}/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIATEST</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`
          : `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>cannot assume ${role}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      );
    }),
  );
  lambda = await listenOnLoopback(
    createServer(async (req, res) => {
      const result = await handler(JSON.parse(await body(req)), {});
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(result));
    }),
  );
}

beforeAll(async () => {
  await standIns();
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

describe("plan / apply with a Lambda deployment", () => {
  it("registers the ARN with its role, then rotates the role in place", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    const document = (role: string) => ({
      deployments: [{ arn: ARN, assumeRoleArn: role, metadata: { "git.commit.sha": "abc123" } }],
      services: { LambdaPlanned: { public: false } },
    });
    const first = await plan(admin, parseConfig(document(ROLES[0] as string)));
    expect(first.changes.map((c) => c.kind)).toEqual(["register_deployment", "update_service"]);
    await apply(admin, first);
    const service = await admin.services.get("LambdaPlanned");
    expect(service.public).toBe(false);
    const registered = await admin.deployments.get(service.deployment_id);
    expect(registered).toMatchObject({ arn: ARN, assume_role_arn: ROLES[0], metadata: { "git.commit.sha": "abc123" } });
    expect((await plan(admin, parseConfig(document(ROLES[0] as string)))).hasChanges).toBe(false);

    const rotation = await plan(admin, parseConfig(document(ROLES[1] as string)));
    expect(rotation.changes).toEqual([
      {
        kind: "update_deployment",
        id: service.deployment_id,
        address: ARN,
        fields: [{ field: "assumeRoleArn", from: ROLES[0], to: ROLES[1] }],
      },
    ]);
    const before = assumed.length;
    await apply(admin, rotation);
    expect(await admin.deployments.get(service.deployment_id)).toMatchObject({ assume_role_arn: ROLES[1] });
    expect((await admin.services.get("LambdaPlanned")).deployment_id).toBe(service.deployment_id);
    // Restate now assumes the new role to reach the function.
    expect(assumed.slice(before)).toContain(ROLES[1]);
    expect((await plan(admin, parseConfig(document(ROLES[1] as string)))).hasChanges).toBe(false);

    // Metadata is fixed at registration in Restate 1.7: a difference is a warning, not a change.
    const metadata = await plan(
      admin,
      parseConfig({ deployments: [{ arn: ARN, metadata: { "git.commit.sha": "def456" } }] }),
    );
    expect(metadata.changes).toEqual([]);
    expect(metadata.warnings).toEqual([
      `${service.deployment_id} (${ARN}): metadata.git.commit.sha differs; Restate 1.7 keeps the metadata given at registration`,
    ]);
  });

  it("rolls back to the previous Lambda version", async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    const previous = "arn:aws:lambda:us-east-1:123456789012:function:planned:4";
    const next = "arn:aws:lambda:us-east-1:123456789012:function:planned:5";
    const four = await admin.deployments.register({ arn: previous, assumeRoleArn: ROLES[0] as string });
    const five = await admin.deployments.register({ arn: next, assumeRoleArn: ROLES[0] as string });
    expect((await admin.services.get("LambdaPlanned")).deployment_id).toBe(five.id);
    await admin.services.update("LambdaPlanned", { public: false });
    const result = await rollback(admin, "LambdaPlanned");
    // Re-registering made it public again (the deployment's default); rollback set it back.
    expect(result.restoredSettings).toContainEqual({ service: "LambdaPlanned", settings: ["public"] });
    expect((await admin.services.get("LambdaPlanned")).public).toBe(false);
    expect(result).toMatchObject({ from: { id: five.id, address: next }, to: { id: four.id, address: previous } });
    expect((await admin.services.get("LambdaPlanned")).deployment_id).toBe(four.id);
    // The same deployment, not a new one, with its role kept.
    expect(await admin.deployments.get(four.id)).toMatchObject({ arn: previous, assume_role_arn: ROLES[0] });
  });
});
