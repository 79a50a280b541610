import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ConfigError } from "@restate-connect/example-service-settings";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { freePort } from "@restate-connect/testkit";
import { describe, expect, it } from "vitest";
import { readHandlerConfig } from "../src/config.ts";
import { createHandler } from "../src/handler.ts";
import { registerFunction } from "../src/register.ts";
import { recordingKmsClient } from "./support/kms-recorder.ts";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("readHandlerConfig", () => {
  it("reads the keys, the key ARN and the keys allowed for decoding", () => {
    expect(
      readHandlerConfig({ RESTATE_IDENTITY_KEYS: " publickeyv1_a , publickeyv1_b ,", JOURNAL_KMS_KEY_ID: KEY_ARN }),
    ).toEqual({
      identityKeys: ["publickeyv1_a", "publickeyv1_b"],
      kmsKeyArn: KEY_ARN,
    });
    const old = KEY_ARN.replace("1234abcd", "9999abcd");
    expect(
      readHandlerConfig({
        RESTATE_IDENTITY_KEYS: "publickeyv1_a",
        JOURNAL_KMS_KEY_ID: KEY_ARN,
        JOURNAL_KMS_ALLOWED_KEY_IDS: `${KEY_ARN},${old}`,
      }).allowedKeyIds,
    ).toEqual([KEY_ARN, old]);
  });

  it.each([
    [{ JOURNAL_KMS_KEY_ID: KEY_ARN }, "missing_identity_keys", "RESTATE_IDENTITY_KEYS"],
    [{ RESTATE_IDENTITY_KEYS: " , ", JOURNAL_KMS_KEY_ID: KEY_ARN }, "missing_identity_keys", "RESTATE_IDENTITY_KEYS"],
    [{ RESTATE_ALLOW_UNSIGNED: "true", JOURNAL_KMS_KEY_ID: KEY_ARN }, "unsupported_setting", "RESTATE_ALLOW_UNSIGNED"],
    [{ RESTATE_IDENTITY_KEYS: "publickeyv1_a" }, "missing_journal_keys", "JOURNAL_KMS_KEY_ID"],
    [
      { RESTATE_IDENTITY_KEYS: "publickeyv1_a", JOURNAL_KEYS: `k=${Buffer.alloc(32).toString("base64")}` },
      "unsupported_setting",
      "JOURNAL_KEYS",
    ],
    [
      { RESTATE_IDENTITY_KEYS: "publickeyv1_a", JOURNAL_KMS_KEY_ID: "alias/journal" },
      "invalid_setting",
      "JOURNAL_KMS_KEY_ID",
    ],
  ])("refuses %j with %s naming %s", (env, code, variable) => {
    let caught: unknown;
    try {
      readHandlerConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe(code);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
  });
});

describe("createHandler", () => {
  async function harness() {
    const keys = generateKeyPair();
    const signer = createSigner({ privateKeyPem: keys.privateKeyPem });
    // Nothing listens on this port: KMS is unreachable.
    const { client, calls } = recordingKmsClient({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const rejections: string[] = [];
    const handler = createHandler({
      identityKeys: [keys.publicKey],
      kmsKeyArn: KEY_ARN,
      kmsClient: client,
      // Bounded here so nothing keeps retrying after the test; the default waits until KMS answers.
      kmsRetry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 10 },
      firstDataKeyTimeoutMs: 5_000,
      onReject: (reason) => rejections.push(reason.code),
    });
    const event = async (path: string, signed = true) => ({
      path,
      httpMethod: "POST",
      headers: { "content-type": "application/vnd.restate.invocation.v6", ...(signed ? await signer.sign(path) : {}) },
      body: "",
      isBase64Encoded: true,
    });
    return { handler, event, calls, rejections };
  }

  it("refuses unsigned requests with 401 before the SDK or KMS see them", async () => {
    const { handler, event, calls, rejections } = await harness();
    const answer = (await handler(await event("/invoke/profiles/get", false), {})) as {
      statusCode: number;
      body: string;
    };
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ code: "missing_scheme" });
    expect(rejections).toEqual(["missing_scheme"]);
    expect(calls).toEqual([]);
  });

  it("answers discovery without touching KMS", async () => {
    const { handler, event, calls } = await harness();
    const discovery = await event("/discover");
    const request = {
      ...discovery,
      headers: { ...discovery.headers, accept: "application/vnd.restate.endpointmanifest.v3+json" },
    };
    const answer = (await handler({ ...request, httpMethod: "GET" }, {})) as {
      statusCode: number;
      body: string;
      isBase64Encoded: boolean;
    };
    expect(answer.statusCode).toBe(200);
    const body = Buffer.from(answer.body, answer.isBase64Encoded ? "base64" : "utf8").toString("utf8");
    expect(JSON.parse(body).services.map((service: { name: string }) => service.name)).toEqual(["profiles"]);
    expect(calls).toEqual([]);
  });

  it("fails an invocation whose first data key cannot be had, and asks KMS again on the next one", async () => {
    const { handler, event, calls } = await harness();
    const failure = {
      name: "JournalKeyUnavailableError",
      code: "journal_key_unavailable",
      cause: expect.objectContaining({ code: "provider_unavailable" }),
    };
    await expect(handler(await event("/invoke/profiles/get"), {})).rejects.toMatchObject(failure);
    const first = calls.filter((call) => call.operation === "GenerateDataKeyCommand").length;
    expect(first).toBeGreaterThan(0);
    await expect(handler(await event("/invoke/profiles/get"), {})).rejects.toMatchObject(failure);
    expect(calls.filter((call) => call.operation === "GenerateDataKeyCommand").length).toBeGreaterThan(first);
  });
});

describe("registration step", () => {
  it("refuses an ARN that is not version-qualified before calling Restate", async () => {
    await expect(
      registerFunction({
        adminUrl: "http://127.0.0.1:9",
        functionVersionArn: "arn:aws:lambda:us-east-1:123456789012:function:restate-profiles",
        invokerRoleArn: "arn:aws:iam::123456789012:role/restate-invoker",
      }),
    ).rejects.toMatchObject({ code: "invalid_setting", message: expect.stringMatching(/version-qualified/) });
  });

  it("the command prints its usage and exits 2 without arguments", async () => {
    const script = fileURLToPath(new URL("../scripts/register.ts", import.meta.url));
    const env = { ...process.env };
    delete env.RESTATE_ADMIN_URL;
    const result = await promisify(execFile)(process.execPath, [script], { env }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? "" }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: RESTATE_ADMIN_URL=");
  });
});
