/**
 * The whole AWS Lambda story on one machine, every hop real or independently checked:
 *
 *   ingress ─▶ restate-server ─AssumeRole(ExternalId)─▶ STS front (trust policy via iam-simulate) ─▶ moto STS
 *                     └─ SigV4 Invoke ─▶ Lambda stand-in (signature, GetCallerIdentity, invoke policy via
 *                        iam-simulate) ─▶ the example's handler (identity check) ─▶ KMS (moto) for data keys
 *
 * The policies are the ones the CDK app synthesises (checked equal to the JSON generator's), created in
 * moto's account (the customer's, 123456789012). Both ways Restate presents itself are run:
 * - self-hosted: the server runs as its own role in the customer's account, like an ECS task role;
 * - Restate Cloud: the server runs as a session of `arn:aws:iam::654654156625:role/RestateCloud`, a
 *   role in a second moto account, with the environment id as its external id.
 */

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AdminApiError, type AdminClient, createAdminClient } from "@restate-connect/admin-client";
import { createVerifier, generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, inspectValue, type JournalCodec } from "@restate-connect/journal-encryption";
import { kmsKeyProvider } from "@restate-connect/journal-encryption/kms";
import {
  invokePolicy,
  RESTATE_CLOUD_ACCOUNT_ID,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
} from "@restate-connect/lambda-invoker-role";
import { type MotoServer, type RestateServer, startMoto, startRestate } from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestateLambdaStack } from "../src/cdk/stack.ts";
import type { RestateTarget } from "../src/cdk/target.ts";
import { JOURNAL_ENCRYPTION_CONTEXT } from "../src/encryption-context.ts";
import { createHandler, type LambdaHandler } from "../src/handler.ts";
import { registerFunction } from "../src/register.ts";
import { profiles } from "../src/service.ts";
import { type AssumedSession, MotoAccount } from "./support/aws-account.ts";
import { resolveIntrinsics } from "./support/cfn.ts";
import { roleArnOfSession, simulateAssumeRole, simulateKeyPolicy } from "./support/iam.ts";
import { type RecordedKmsCall, recordingKmsClient } from "./support/kms-recorder.ts";
import { type LambdaEmulator, startLambdaEmulator } from "./support/lambda-emulator.ts";
import { type StsRecorder, startStsRecorder } from "./support/sts-recorder.ts";
import { startSwitchableProxy } from "./support/switchable-proxy.ts";

const ACCOUNT = "123456789012";
const EXTERNAL_ID = "restate-e2e-7f3a";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:restate-profiles`;
const VERSION_ARN = `${FUNCTION_ARN}:1`;
const NEXT_VERSION_ARN = `${FUNCTION_ARN}:2`;
const OTHER_FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:some-other-function`;
const MARKER = `plaintext-marker-${crypto.randomUUID()}`;
/** The Restate Cloud variant: its environment id, and a function of its own in the same customer account. */
const ENVIRONMENT_ID = "env_201hy10cd3h6426jy80tb32n6en";
const CLOUD_FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:restate-profiles-cloud`;
const CLOUD_VERSION_ARN = `${CLOUD_FUNCTION_ARN}:1`;
const CLOUD_NEXT_VERSION_ARN = `${CLOUD_FUNCTION_ARN}:2`;

const trace: string[] = [];
const hop = (line: string) => trace.push(line);

interface Setup {
  moto: MotoServer;
  account: MotoAccount;
  server: AssumedSession;
  functionSession: AssumedSession;
  invokerRoleArn: string;
  invokerRoleName: string;
  invokePolicyDocument: unknown;
  keyArn: string;
  keyPolicy: unknown;
  sts: StsRecorder;
  /** Sessions the STS front can name as callers of `AssumeRole`, by access key id. */
  callers: Map<string, AssumedSession>;
  lambda: LambdaEmulator;
  restate: RestateServer;
  admin: AdminClient;
  signing: { privateKeyPem: string; publicKey: string };
  rejections: Array<{ code: string }>;
  /** KMS calls of each Lambda execution environment ("container") and of the ingress client. */
  kmsCalls: { containers: RecordedKmsCall[][]; client: RecordedKmsCall[] };
  functions: Map<string, LambdaHandler>;
  /** A fresh execution environment; `kmsEndpoint` defaults to moto, `identityKeys` to the server's key. */
  newContainer(options?: { kmsEndpoint?: string; identityKeys?: string[] }): LambdaHandler;
  ingress: clients.Ingress;
  clientCodec: JournalCodec;
}

/** Consecutive identical lines (e.g. the server retrying a refused AssumeRole) become one line with a count. */
type LambdaEvent = { path: string; headers: Record<string, string> };

/**
 * Registers a version-qualified ARN with its invoker role and returns the AssumeRole calls the server
 * made for that role, each checked to come from `callerAccessKeyId` with `externalId` and to succeed.
 */
async function registerThroughInvokerRole(options: {
  adminUrl: string;
  functionVersionArn: string;
  invokerRoleArn: string;
  callerAccessKeyId: string;
  externalId: string;
}) {
  const { adminUrl, functionVersionArn, invokerRoleArn, callerAccessKeyId, externalId } = options;
  const result = await registerFunction({ adminUrl, functionVersionArn, invokerRoleArn });
  expect(result.services.map((service) => service.name)).toEqual(["profiles"]);
  const assumed = setup.sts.assumeRoleCalls.filter((call) => call.roleArn === invokerRoleArn);
  expect(assumed.length).toBeGreaterThan(0);
  for (const call of assumed) expect(call).toMatchObject({ callerAccessKeyId, externalId, status: 200 });
  return assumed;
}

/**
 * Saves a profile carrying MARKER through `ingress`, reads it back, checks both answers, and returns
 * the Lambda payloads those two calls produced (which include both invocations).
 */
async function saveAndReadProfile(
  ingress: clients.Ingress,
  key: string,
  input: { displayName: string; expectedName: string; via?: string },
): Promise<LambdaEvent[]> {
  const eventsBefore = setup.lambda.events.length;
  const via = input.via ? ` ${input.via}` : "";
  hop(`ingress profiles/${key}/save${via}`);
  const saved = await ingress.objectClient(profiles, key).save({ displayName: input.displayName, note: MARKER });
  expect(saved).toEqual({
    greeting: `Saved ${input.expectedName} (${key}), revision 1`,
    profile: { displayName: input.expectedName, note: MARKER, revision: 1 },
  });
  hop(`ingress profiles/${key}/get${via}`);
  expect(await ingress.objectClient(profiles, key).get()).toEqual({
    displayName: input.expectedName,
    note: MARKER,
    revision: 1,
  });
  const invokes = setup.lambda.events.slice(eventsBefore) as LambdaEvent[];
  expect(invokes.map((event) => event.path)).toEqual(
    expect.arrayContaining(["/invoke/profiles/save", "/invoke/profiles/get"]),
  );
  return invokes;
}

function collapseRepeats(lines: string[]): string[] {
  const out: string[] = [];
  let count = 0;
  lines.forEach((line, index) => {
    count++;
    if (lines[index + 1] !== line) {
      out.push(count > 1 ? `${line}  (×${count})` : line);
      count = 0;
    }
  });
  return out;
}

let setup: Setup;
const cleanups: Array<() => Promise<unknown>> = [];

/** The CDK app's policies for this account, with CloudFormation's intrinsics resolved to moto's ARNs. */
function synthesisedPolicies(options: {
  stackName: string;
  restate: RestateTarget;
  functionArn: string;
  functionRoleArn: string;
}) {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new RestateLambdaStack(app, options.stackName, {
    restate: options.restate,
    identityKeys: [generateKeyPair().publicKey],
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const find = (type: string, prefix: string) => {
    const entry = Object.entries(resources).find(([id, resource]) => resource.Type === type && id.startsWith(prefix));
    if (!entry) throw new Error(`no ${type} ${prefix} in the template`);
    return entry;
  };
  const [fnId] = find("AWS::Lambda::Function", "Function");
  const [fnRoleId] = find("AWS::IAM::Role", "FunctionServiceRole");
  const [, invoker] = find("AWS::IAM::Role", "InvokerRole");
  const [, key] = find("AWS::KMS::Key", "JournalKey");
  const resolve = (value: unknown) =>
    resolveIntrinsics(value, {
      account: ACCOUNT,
      region: "us-east-1",
      attributes: { [`${fnId}.Arn`]: options.functionArn, [`${fnRoleId}.Arn`]: options.functionRoleArn },
    });
  const policies = resolve(invoker.Properties.Policies) as Array<{ PolicyName: string; PolicyDocument: unknown }>;
  return {
    invokerRoleName: String(invoker.Properties.RoleName),
    trustPolicy: resolve(invoker.Properties.AssumeRolePolicyDocument),
    invokePolicyName: policies[0]?.PolicyName ?? "",
    invokePolicy: policies[0]?.PolicyDocument,
    keyPolicy: resolve(key.Properties.KeyPolicy),
  };
}

beforeAll(async () => {
  const moto = await startMoto();
  cleanups.push(moto.stop);
  const account = new MotoAccount(moto);
  const trustAccount = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
  };
  const trustLambda = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };

  // The Restate server's own identity (an ECS task role in a real self-hosted deployment).
  const serverRoleArn = await account.createRole("restate-server", trustAccount);
  const server = await account.assume(serverRoleArn, "restate-server-task");
  // The function's execution role; its credentials are what the handler uses for KMS.
  const functionRoleArn = await account.createRole("restate-profiles-role", trustLambda);
  const functionSession = await account.assume(functionRoleArn, "restate-profiles");

  // 1. The invoker role and the key, with the policies the CDK app (our lambda-invoker-role construct) generates.
  const synthesised = synthesisedPolicies({
    stackName: "RestateLambdaExample",
    restate: { kind: "self-hosted", principalArn: serverRoleArn, externalId: EXTERNAL_ID },
    functionArn: FUNCTION_ARN,
    functionRoleArn,
  });
  expect(synthesised.trustPolicy).toEqual(
    selfHostedTrustPolicy({ principalArn: serverRoleArn, externalId: EXTERNAL_ID }),
  );
  expect(synthesised.invokePolicy).toEqual(invokePolicy({ functionArns: [FUNCTION_ARN] }));
  const invokerRoleArn = await account.createRole(synthesised.invokerRoleName, synthesised.trustPolicy, {
    [synthesised.invokePolicyName]: synthesised.invokePolicy,
  });
  const keyArn = await account.createKey(synthesised.keyPolicy);
  hop(`setup   moto account ${ACCOUNT}: server role ${serverRoleArn}, invoker role ${invokerRoleArn}, key ${keyArn}`);

  // 4. STS front: records AssumeRole and enforces the trust policy that moto ignores. The caller is
  // named by its access key: the session moto's GetCallerIdentity reported for those credentials.
  const callers = new Map<string, AssumedSession>([[server.credentials.accessKeyId, server]]);
  const sts = await startStsRecorder(moto.endpoint, async (call) => {
    const callerArn = callers.get(call.callerAccessKeyId)?.sessionArn ?? "(unknown caller)";
    const trustPolicy = await account.trustPolicyOf(call.roleArn);
    const decision = await simulateAssumeRole({
      trustPolicy,
      callerArn,
      roleArn: call.roleArn,
      externalId: call.externalId,
    });
    hop(
      `sts     AssumeRole ${call.roleArn} by ${callerArn} ExternalId=${call.externalId ?? "(none)"} → trust policy (iam-simulate): ${decision}`,
    );
    return decision === "Allowed"
      ? { allowed: true }
      : {
          allowed: false,
          message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${call.roleArn}`,
        };
  });
  cleanups.push(sts.stop);

  const signing = generateKeyPair();
  const rejections: Array<{ code: string }> = [];
  const kmsCalls: Setup["kmsCalls"] = { containers: [], client: [] };
  const kmsConfig = { endpoint: moto.endpoint, region: moto.region, credentials: functionSession.credentials };
  const newContainer = ({ kmsEndpoint, identityKeys }: { kmsEndpoint?: string; identityKeys?: string[] } = {}) => {
    const { client, calls } = recordingKmsClient({
      ...kmsConfig,
      ...(kmsEndpoint ? { endpoint: kmsEndpoint, maxAttempts: 1 } : {}),
    });
    kmsCalls.containers.push(calls);
    const container = kmsCalls.containers.length;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        hop(
          `kms     ${context.commandName} (container ${container}) key ${keyArn.split("/").pop()} context purpose/application`,
        );
        return next(args);
      },
      { step: "initialize", name: "traceKmsCalls" },
    );
    return createHandler({
      identityKeys: identityKeys ?? [signing.publicKey],
      kmsKeyArn: keyArn,
      kmsClient: client,
      // Shorter than the default 10 s so the outage test stays quick.
      firstDataKeyTimeoutMs: 2_000,
      onReject: (reason) => {
        rejections.push(reason);
        hop(`handler identity REJECTED: ${reason.code}`);
      },
    });
  };
  const container = newContainer();
  const functions = new Map<string, LambdaHandler>([
    [VERSION_ARN, container],
    [NEXT_VERSION_ARN, container],
  ]);

  // 3. The Lambda stand-in.
  const lambda = await startLambdaEmulator({
    motoEndpoint: moto.endpoint,
    region: moto.region,
    credentialsFor: sts.issuedCredentials,
    functions,
    trace: hop,
  });
  cleanups.push(lambda.stop);

  // 2. restate-server with the signing key, the AWS endpoints, its own (role) credentials and the external id.
  const restate = await startRestate({
    signingKeyPem: signing.privateKeyPem,
    env: {
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: server.credentials.sessionToken,
      AWS_REGION: moto.region,
      // The server setting `aws-assume-role-external-id`, here through its environment variable.
      AWS_EXTERNAL_ID: EXTERNAL_ID,
      RESTATE_LOGGING: "WARN",
    },
  });
  cleanups.push(restate.stop);
  const admin = createAdminClient({ baseUrl: restate.adminUrl, retry: false });

  // Callers encode inputs and decode outputs with the same codec; here the caller uses the function's
  // role (the only principal the key policy lets use the key).
  const { client: clientKms, calls: clientCalls } = recordingKmsClient(kmsConfig);
  kmsCalls.client = clientCalls;
  const clientCodec = await createJournalCodec({
    keyProvider: kmsKeyProvider({
      keyId: keyArn,
      client: clientKms,
      encryptionContext: { ...JOURNAL_ENCRYPTION_CONTEXT },
    }),
  });
  cleanups.push(async () => clientCodec.close());
  const ingress = clients.connect({ url: restate.ingressUrl, journalValueCodec: clientCodec });

  setup = {
    moto,
    account,
    server,
    functionSession,
    invokerRoleArn,
    invokerRoleName: synthesised.invokerRoleName,
    invokePolicyDocument: synthesised.invokePolicy,
    keyArn,
    keyPolicy: synthesised.keyPolicy,
    sts,
    callers,
    lambda,
    restate,
    admin,
    signing,
    rejections,
    kmsCalls,
    functions,
    newContainer,
    ingress,
    clientCodec,
  };
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  if (trace.length > 0) console.log(`\nTrace of the hops:\n  ${collapseRepeats(trace).join("\n  ")}\n`);
});

describe("Restate → STS → Lambda → handler → KMS, on one machine", () => {
  it("registers the version-qualified ARN with the invoker role; the server assumed it as the trust policy allows", async () => {
    hop(`admin   register ${VERSION_ARN} assumeRoleArn=${setup.invokerRoleArn}`);
    const assumed = await registerThroughInvokerRole({
      adminUrl: setup.restate.adminUrl,
      functionVersionArn: VERSION_ARN,
      invokerRoleArn: setup.invokerRoleArn,
      callerAccessKeyId: setup.server.credentials.accessKeyId,
      externalId: EXTERNAL_ID,
    });
    // The trust policy for the exact principal and external id the server used — and it can say no.
    const trustPolicy = await setup.account.trustPolicyOf(setup.invokerRoleArn);
    const assume = (externalId: string | undefined, callerArn = setup.server.sessionArn) =>
      simulateAssumeRole({ trustPolicy, callerArn, roleArn: setup.invokerRoleArn, externalId });
    expect(await assume(assumed[0]?.externalId)).toBe("Allowed");
    expect(await assume("another-tenant")).toBe("ImplicitlyDenied");
    expect(await assume(undefined)).toBe("ImplicitlyDenied");
    expect(await assume(EXTERNAL_ID, setup.functionSession.sessionArn)).toBe("ImplicitlyDenied");

    // Discovery went through the Lambda stand-in as the assumed invoker role, signed by the server.
    const discovery = setup.lambda.decisions[0];
    expect(discovery).toMatchObject({ functionArn: VERSION_ARN, roleArn: setup.invokerRoleArn, decision: "Allowed" });
    expect(discovery?.callerArn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/restate-invoker-RestateLambdaExample\//,
    );
    const firstEvent = setup.lambda.events[0] as { path: string; headers: Record<string, string> };
    expect(firstEvent.path).toBe("/discover");
    expect(firstEvent.headers["x-restate-signature-scheme"]).toBe("v1");
    expect(setup.rejections).toEqual([]);
  });

  it("invokes through ingress: right result, identity verified with the server's key and refused with another", async () => {
    const invokes = await saveAndReadProfile(setup.ingress, "alice", {
      displayName: " Alice ",
      expectedName: "Alice",
      via: "(input encoded by the client's codec)",
    });
    expect(setup.rejections).toEqual([]);

    // The identity headers restate-server put in the payload verify with its key, and only with it.
    const last = invokes.at(-1) as LambdaEvent;
    const withServerKey = await createVerifier({ keys: [setup.signing.publicKey] }).verify(last.headers, last.path);
    expect(withServerKey.ok).toBe(true);
    const otherKey = generateKeyPair().publicKey;
    const refused: string[] = [];
    const strangerHandler = createHandler({
      identityKeys: [otherKey],
      kmsKeyArn: setup.keyArn,
      kmsClient: recordingKmsClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9" }).client,
      onReject: (reason) => refused.push(reason.code),
    });
    const answer = (await strangerHandler(last, {})) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ code: "bad_signature" });
    expect(refused).toEqual(["bad_signature"]);
    hop(`handler same payload, service configured with another key → 401 ${answer.body}`);
  });

  it("stores no plaintext: journal and state hold only envelopes", async () => {
    const journal = await setup.admin.query<Record<string, unknown>>(
      "SELECT j.id, j.index, j.entry_type, j.entry_json, j.raw FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE i.target_service_name = 'profiles'",
    );
    const state = await setup.admin.query<Record<string, unknown>>(
      "SELECT service_key, key, value, value_utf8 FROM state WHERE service_name = 'profiles'",
    );
    hop(`sql     ${journal.length} journal entries and ${state.length} state rows of profiles read back`);
    expect(journal.length).toBeGreaterThanOrEqual(4);
    expect(state.map((row) => [row.service_key, row.key])).toEqual([["alice", "profile"]]);

    // The SQL endpoint returns binary columns as hex strings.
    const bytesOf = (column: unknown) => Buffer.from(String(column ?? ""), "hex");
    const raws = journal.map((row) => bytesOf(row.raw));
    const values = state.map((row) => bytesOf(row.value));
    // The dump is meaningful: what is not encrypted (the ingress path header of the input entry) is readable in it…
    expect(raws.some((raw) => raw.includes("/profiles/alice/save"))).toBe(true);
    // …while the marker is in no stored byte, nor in any text column.
    for (const bytes of [...raws, ...values]) expect(bytes.includes(MARKER)).toBe(false);
    expect(JSON.stringify({ journal, state })).not.toContain(MARKER);
    // And the state value is one of our envelopes.
    expect(inspectValue(new Uint8Array(values[0] ?? []))).toMatchObject({ format: "envelope", provider: "aws-kms" });
    hop(`sql     no stored byte contains the marker; the state value is a KMS envelope`);
  });

  it("calls KMS as the codec's design says, and every call is allowed by the key policy", async () => {
    const [first] = setup.kmsCalls.containers;
    expect(first).toBeDefined();
    // One data key per container (generated when the codec is created), each with our encryption context.
    const generated = (first ?? []).filter((call) => call.operation === "GenerateDataKeyCommand");
    expect(generated.length).toBe(1);
    expect(generated[0]).toEqual({
      operation: "GenerateDataKeyCommand",
      keyId: setup.keyArn,
      encryptionContext: JOURNAL_ENCRYPTION_CONTEXT,
    });
    // The client's input was wrapped under the client's data key: the container unwrapped it once.
    const decrypts = (first ?? []).filter((call) => call.operation === "DecryptCommand");
    expect(decrypts.length).toBe(1);

    // A cold start: a new execution environment with empty caches reads the state the first one wrote.
    const container = setup.newContainer();
    setup.functions.set(VERSION_ARN, container);
    hop("lambda  new execution environment (cold start)");
    expect(await setup.ingress.objectClient(profiles, "alice").get()).toEqual({
      displayName: "Alice",
      note: MARKER,
      revision: 1,
    });
    const second = setup.kmsCalls.containers[1] ?? [];
    expect(second.filter((call) => call.operation === "GenerateDataKeyCommand")).toHaveLength(1);
    // It unwrapped two distinct data keys, each once: the client's (the encoded empty input of `get`)
    // and the first container's (the state value it sealed).
    const unwrapped = () => second.filter((call) => call.operation === "DecryptCommand").map((call) => call.wrappedKey);
    const clientKey = decrypts[0]?.wrappedKey;
    expect(unwrapped()).toHaveLength(2);
    expect(unwrapped()).toContain(clientKey);
    expect(new Set(unwrapped()).size).toBe(2);
    // Warm: the same values again cost no KMS call.
    expect(await setup.ingress.objectClient(profiles, "alice").get()).toMatchObject({ note: MARKER });
    expect(unwrapped()).toHaveLength(2);

    // Every KMS call made, by the function and by the client (same role), passes the CDK key policy.
    const all = [...setup.kmsCalls.containers.flat(), ...setup.kmsCalls.client];
    for (const call of all) {
      const action = `kms:${call.operation.replace(/Command$/, "")}`;
      const decision = simulateKeyPolicy({
        keyPolicy: setup.keyPolicy,
        keyArn: setup.keyArn,
        callerArn: setup.functionSession.sessionArn,
        action,
        encryptionContext: call.encryptionContext,
      });
      expect({ action, decision }).toEqual({ action, decision: "Allowed" });
    }
    hop(`kms     ${all.length} KMS calls, each allowed by the key policy (iam-simulate)`);
  });

  it("refuses registration when the invoker role expects another external id", async () => {
    const otherTenant = "restate-invoker-other-tenant";
    const otherRoleArn = await setup.account.createRole(
      otherTenant,
      selfHostedTrustPolicy({ principalArn: setup.server.roleArn, externalId: "another-tenant" }),
      { "restate-invoke": invokePolicy({ functionArns: [FUNCTION_ARN] }) },
    );
    // A newly published version: registering it makes the server assume the role for discovery.
    hop(`admin   register ${NEXT_VERSION_ARN} assumeRoleArn=${otherRoleArn} (trust expects ExternalId another-tenant)`);
    const failure = await registerFunction({
      adminUrl: setup.restate.adminUrl,
      functionVersionArn: NEXT_VERSION_ARN,
      invokerRoleArn: otherRoleArn,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AdminApiError);
    const message = (failure as AdminApiError).message;
    expect(message).toMatch(/AccessDenied|not authorized|assume/i);
    const reason = /message: "([^"]+)"/.exec(message)?.[1] ?? message.slice(0, 200);
    hop(`admin   registration refused (${(failure as AdminApiError).status}): ${reason}`);
    const denied = setup.sts.assumeRoleCalls.filter((call) => call.roleArn === otherRoleArn);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((call) => call.status === 403 && call.externalId === EXTERNAL_ID)).toBe(true);
  });

  it("retries an invocation the invoke policy does not allow, and completes it once the policy is fixed", async () => {
    // Narrow the invoker role to another function: our function is no longer in its invoke policy.
    await setup.account.putRolePolicy(
      setup.invokerRoleName,
      "restate-invoke",
      invokePolicy({ functionArns: [OTHER_FUNCTION_ARN] }),
    );
    hop("iam     invoke policy narrowed to another function");
    const deniedBefore = setup.lambda.decisions.filter((decision) => decision.decision !== "Allowed").length;
    // With an idempotency key Restate keeps the result, so the client can attach to it later.
    const send = await setup.ingress
      .objectSendClient(profiles, "bob")
      .save(
        { displayName: "Bob", note: MARKER },
        clients.rpc.sendOpts({ idempotencyKey: `bob-${crypto.randomUUID()}` }),
      );
    const id = send.invocationId;
    hop(`ingress profiles/bob/save sent as ${id}`);

    const status = async () =>
      (
        await setup.admin.query<{ status: string; retry_count: number; last_failure: string | null }>(
          `SELECT status, retry_count, last_failure FROM sys_invocation WHERE id = '${id}'`,
        )
      )[0];
    let row = await status();
    for (let i = 0; i < 100 && !(row && row.retry_count >= 2 && /AccessDenied/.test(row.last_failure ?? "")); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      row = await status();
    }
    expect(row?.status).toMatch(/backing-off|running|ready|scheduled/);
    expect(row?.retry_count).toBeGreaterThanOrEqual(2);
    expect(row?.last_failure).toMatch(/AccessDenied/);
    expect(setup.lambda.decisions.filter((decision) => decision.decision !== "Allowed").length).toBeGreaterThan(
      deniedBefore,
    );
    hop(`sql     ${id}: status ${row?.status}, retry_count ${row?.retry_count}, last_failure AccessDenied`);

    await setup.account.putRolePolicy(setup.invokerRoleName, "restate-invoke", setup.invokePolicyDocument);
    hop("iam     invoke policy restored");
    const result = await setup.ingress.result(send);
    expect(result).toEqual({
      greeting: "Saved Bob (bob), revision 1",
      profile: { displayName: "Bob", note: MARKER, revision: 1 },
    });
    expect((await status())?.status).toBe("completed");
    hop(`ingress ${id} completed after the fix: ${JSON.stringify(result).slice(0, 60)}…`);
  });
  it("survives KMS being unreachable at a cold start: the attempt fails, Restate retries, nothing is lost", async () => {
    const kms = await startSwitchableProxy(setup.moto.endpoint);
    cleanups.push(kms.stop);
    kms.setUp(false);
    setup.functions.set(VERSION_ARN, setup.newContainer({ kmsEndpoint: kms.url }));
    hop("lambda  new execution environment (cold start) while KMS is unreachable");
    const send = await setup.ingress
      .objectSendClient(profiles, "carol")
      .save(
        { displayName: "Carol", note: MARKER },
        clients.rpc.sendOpts({ idempotencyKey: `carol-${crypto.randomUUID()}` }),
      );
    const id = send.invocationId;

    const status = async () =>
      (
        await setup.admin.query<{ status: string; retry_count: number; last_failure: string | null }>(
          `SELECT status, retry_count, last_failure FROM sys_invocation WHERE id = '${id}'`,
        )
      )[0];
    let row = await status();
    // Each attempt fails once the first data key is 2 s late; Restate backs off and tries again.
    for (let i = 0; i < 150 && !(row && row.retry_count >= 2 && row.last_failure); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      row = await status();
    }
    expect(row?.retry_count).toBeGreaterThanOrEqual(2);
    expect(row?.last_failure).toContain(`error when calling '${VERSION_ARN}'`);
    expect(row?.last_failure).toContain('"errorType":"JournalKeyUnavailableError"');
    expect(row?.status).not.toBe("completed");
    hop(`sql     ${id}: status ${row?.status}, retry_count ${row?.retry_count}, last_failure ${row?.last_failure}`);

    kms.setUp(true);
    hop("kms     reachable again");
    const result = await setup.ingress.result(send);
    expect(result).toEqual({
      greeting: "Saved Carol (carol), revision 1",
      profile: { displayName: "Carol", note: MARKER, revision: 1 },
    });
    hop(`ingress ${id} completed once KMS was back`);
  });
  it("the post-deploy command registers what `cdk deploy --outputs-file` wrote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "restate-lambda-outputs-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const outputsFile = join(dir, "cdk-outputs.json");
    writeFileSync(
      outputsFile,
      JSON.stringify({
        RestateLambdaExample: {
          FunctionVersionArn: VERSION_ARN,
          InvokerRoleArn: setup.invokerRoleArn,
          JournalKeyArn: setup.keyArn,
        },
      }),
    );
    const script = fileURLToPath(new URL("../scripts/register.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, outputsFile], {
      env: { ...process.env, RESTATE_ADMIN_URL: setup.restate.adminUrl },
    });
    expect(stdout).toMatch(new RegExp(`^registered ${VERSION_ARN} as dp_\\w+: profiles$`, "m"));
    hop(`cli     ${stdout.trim()}`);
  });
});

describe("Restate Cloud → STS across accounts (environment id as external id) → Lambda, on one machine", () => {
  let cloud: {
    session: AssumedSession;
    invokerRoleArn: string;
    restate: RestateServer;
    ingress: clients.Ingress;
    signing: { privateKeyPem: string; publicKey: string };
  };

  beforeAll(async () => {
    // Restate Cloud's account is a second moto account; its role is created there with that account's credentials.
    const restateCloud = await MotoAccount.of(setup.moto, RESTATE_CLOUD_ACCOUNT_ID);
    const roleArn = await restateCloud.createRole("RestateCloud", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${RESTATE_CLOUD_ACCOUNT_ID}:root` },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(roleArn).toBe(RESTATE_CLOUD_PRINCIPAL_ARN);
    // The server runs with credentials of a RestateCloud session, as Restate Cloud does.
    const session = await restateCloud.assume(roleArn, ENVIRONMENT_ID);
    expect(session.sessionArn).toBe(
      `arn:aws:sts::${RESTATE_CLOUD_ACCOUNT_ID}:assumed-role/RestateCloud/${ENVIRONMENT_ID}`,
    );
    setup.callers.set(session.credentials.accessKeyId, session);

    // The customer's invoker role for this environment, as the CDK app synthesises it for `restate:target=cloud`.
    // The function shares the first stack's execution role and journal key (the key policy names only that role).
    const synthesised = synthesisedPolicies({
      stackName: "RestateLambdaCloud",
      restate: { kind: "cloud", environmentId: ENVIRONMENT_ID },
      functionArn: CLOUD_FUNCTION_ARN,
      functionRoleArn: setup.functionSession.roleArn,
    });
    expect(synthesised.trustPolicy).toEqual(restateCloudTrustPolicy({ environmentId: ENVIRONMENT_ID }));
    expect(synthesised.invokePolicy).toEqual(invokePolicy({ functionArns: [CLOUD_FUNCTION_ARN] }));
    const invokerRoleArn = await setup.account.createRole(synthesised.invokerRoleName, synthesised.trustPolicy, {
      [synthesised.invokePolicyName]: synthesised.invokePolicy,
    });
    hop(
      `setup   moto account ${RESTATE_CLOUD_ACCOUNT_ID}: ${roleArn}, server session ${session.sessionArn}; account ${ACCOUNT}: invoker role ${invokerRoleArn} (trusts Restate Cloud, ExternalId ${ENVIRONMENT_ID})`,
    );

    // The environment has its own request signing key; the function is configured with its public key.
    const signing = generateKeyPair();
    setup.functions.set(CLOUD_VERSION_ARN, setup.newContainer({ identityKeys: [signing.publicKey] }));
    const restate = await startRestate({
      signingKeyPem: signing.privateKeyPem,
      env: {
        AWS_ENDPOINT_URL_LAMBDA: setup.lambda.url,
        AWS_ENDPOINT_URL_STS: setup.sts.url,
        AWS_ACCESS_KEY_ID: session.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: session.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: session.credentials.sessionToken,
        AWS_REGION: setup.moto.region,
        // Restate Cloud presents the environment id as the external id.
        AWS_EXTERNAL_ID: ENVIRONMENT_ID,
        RESTATE_LOGGING: "WARN",
      },
    });
    cleanups.push(restate.stop);
    const ingress = clients.connect({ url: restate.ingressUrl, journalValueCodec: setup.clientCodec });
    cloud = { session, invokerRoleArn, restate, ingress, signing };
  });

  it("registers with the invoker role that trusts Restate Cloud; the RestateCloud session assumed it with the environment id", async () => {
    hop(`admin   register ${CLOUD_VERSION_ARN} assumeRoleArn=${cloud.invokerRoleArn} (Restate Cloud server)`);
    const assumed = await registerThroughInvokerRole({
      adminUrl: cloud.restate.adminUrl,
      functionVersionArn: CLOUD_VERSION_ARN,
      invokerRoleArn: cloud.invokerRoleArn,
      callerAccessKeyId: cloud.session.credentials.accessKeyId,
      externalId: ENVIRONMENT_ID,
    });
    // Who signed those AssumeRole calls, as moto's STS reports it: a session of Restate Cloud's role.
    const callerArn = await setup.account.whoIs(cloud.session.credentials);
    expect(roleArnOfSession(callerArn)).toBe(RESTATE_CLOUD_PRINCIPAL_ARN);

    // The trust policy for that exact principal and the external id the server sent — and it can say no.
    const trustPolicy = await setup.account.trustPolicyOf(cloud.invokerRoleArn);
    const assume = (externalId: string | undefined, caller = callerArn) =>
      simulateAssumeRole({ trustPolicy, callerArn: caller, roleArn: cloud.invokerRoleArn, externalId });
    expect(await assume(assumed[0]?.externalId)).toBe("Allowed");
    expect(await assume("env_anothertenant")).toBe("ImplicitlyDenied");
    expect(await assume(undefined)).toBe("ImplicitlyDenied");
    // Another role in Restate's account, and the customer's own self-hosted server, are not Restate Cloud.
    expect(await assume(ENVIRONMENT_ID, `arn:aws:sts::${RESTATE_CLOUD_ACCOUNT_ID}:assumed-role/SomeOtherRole/x`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await assume(ENVIRONMENT_ID, setup.server.sessionArn)).toBe("ImplicitlyDenied");

    // Discovery reached the function as the invoker role, with credentials moto issued in the customer's account.
    const discovery = setup.lambda.decisions.find((decision) => decision.functionArn === CLOUD_VERSION_ARN);
    expect(discovery).toMatchObject({ roleArn: cloud.invokerRoleArn, decision: "Allowed" });
    expect(discovery?.callerArn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/restate-invoker-RestateLambdaCloud\//,
    );
    expect(setup.rejections).toEqual([]);
  });

  it("invokes through the Cloud server's ingress: right result, identity verified with the environment's key", async () => {
    const decisionsBefore = setup.lambda.decisions.length;
    const invokes = await saveAndReadProfile(cloud.ingress, "dana", {
      displayName: "Dana",
      expectedName: "Dana",
      via: "through the Restate Cloud server",
    });

    const decisions = setup.lambda.decisions.slice(decisionsBefore);
    expect(decisions.length).toBeGreaterThanOrEqual(2);
    for (const decision of decisions) {
      expect(decision).toMatchObject({
        functionArn: CLOUD_VERSION_ARN,
        roleArn: cloud.invokerRoleArn,
        decision: "Allowed",
      });
    }
    expect(setup.rejections).toEqual([]);
    const last = invokes.at(-1) as LambdaEvent;
    expect((await createVerifier({ keys: [cloud.signing.publicKey] }).verify(last.headers, last.path)).ok).toBe(true);
    // Signed by this environment, not by the self-hosted server.
    expect((await createVerifier({ keys: [setup.signing.publicKey] }).verify(last.headers, last.path)).ok).toBe(false);
  });

  it("refuses registration when the invoker role trusts another environment", async () => {
    const otherEnvironment = "env_anothertenant";
    const otherRoleArn = await setup.account.createRole(
      "restate-invoker-other-environment",
      restateCloudTrustPolicy({ environmentId: otherEnvironment }),
      { "restate-invoke": invokePolicy({ functionArns: [CLOUD_FUNCTION_ARN] }) },
    );
    hop(
      `admin   register ${CLOUD_NEXT_VERSION_ARN} assumeRoleArn=${otherRoleArn} (trust expects ExternalId ${otherEnvironment})`,
    );
    const failure = await registerFunction({
      adminUrl: cloud.restate.adminUrl,
      functionVersionArn: CLOUD_NEXT_VERSION_ARN,
      invokerRoleArn: otherRoleArn,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AdminApiError);
    const message = (failure as AdminApiError).message;
    expect(message).toContain(
      `User: ${cloud.session.sessionArn} is not authorized to perform: sts:AssumeRole on resource: ${otherRoleArn}`,
    );
    const reason = /message: "([^"]+)"/.exec(message)?.[1] ?? message.slice(0, 200);
    hop(`admin   registration refused (${(failure as AdminApiError).status}): ${reason}`);
    const denied = setup.sts.assumeRoleCalls.filter((call) => call.roleArn === otherRoleArn);
    expect(denied.length).toBeGreaterThan(0);
    for (const call of denied) {
      expect(call).toMatchObject({
        callerAccessKeyId: cloud.session.credentials.accessKeyId,
        externalId: ENVIRONMENT_ID,
        status: 403,
      });
    }
    expect(setup.lambda.decisions.some((decision) => decision.functionArn === CLOUD_NEXT_VERSION_ARN)).toBe(false);
  });
});
