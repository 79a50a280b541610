/** `restate-journal show --kms`: values sealed under AWS KMS (moto), opened with kms:Decrypt only. */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  type MotoServer,
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startMoto,
  startRestate,
} from "@restate-connect/testkit";
import * as clients from "@restatedev/restate-sdk-clients";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { createJournalCodec, type JournalCodec, kmsKeyFingerprint } from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
import { showServices } from "./show-services.js";
import { sql } from "./stored-bytes.js";

describe("show with KMS (moto) against restate-server 1.7.12", () => {
  let moto: MotoServer;
  let rs: RestateServer;
  let endpoint: ServedEndpoint;
  let codec: JournalCodec;
  let keyArn: string;
  let otherArn: string;
  let invocationId: string;

  beforeAll(async () => {
    [moto, rs] = await Promise.all([startMoto(), startRestate()]);
    const kms = new KMSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    // Version-2 envelopes carry a 7-bit fingerprint of the key: make sure the other key's differs, so
    // the refusal below is the allow-list's and not a wrong-key Decrypt.
    do otherArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
    while (kmsKeyFingerprint(otherArn) === kmsKeyFingerprint(keyArn));
    codec = await createJournalCodec({ keyProvider: kmsKeyProvider({ keyId: keyArn, client: kms }) });
    const services = showServices();
    endpoint = await serveEndpoint([services.greeter, services.account], {
      journalValueCodecProvider: () => Promise.resolve(codec),
    });
    await register(rs.adminUrl, endpoint.url);
    const ingress = clients.connect({ url: rs.ingressUrl, journalValueCodec: codec });
    await ingress.objectClient(services.account, "kim").deposit({ amount: 7, note: "via KMS" });
    invocationId = String(
      (await sql(rs.adminUrl, "SELECT id FROM sys_invocation WHERE target = 'Account/kim/deposit'"))[0]?.id,
    );
  });

  afterAll(async () => {
    codec?.close();
    await endpoint?.stop();
    await rs?.stop();
    await moto?.stop();
  });

  async function show(allowKey: string) {
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    };
    const saved = { ...process.env };
    Object.assign(process.env, env); // the AWS SDK's default credential chain reads process.env
    try {
      const code = await run(
        [
          "show",
          invocationId,
          "--json",
          "--admin-url",
          rs.adminUrl,
          "--kms",
          "--aws-region",
          moto.region,
          "--endpoint-url",
          moto.endpoint,
          "--allow-key",
          allowKey,
        ],
        { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: process.env },
      );
      return { code, report: JSON.parse(out.join("\n")), err };
    } finally {
      process.env = saved;
    }
  }

  it("decrypts every value with the allowed KMS key, and says key_not_allowed for any other", async () => {
    const allowed = await show(keyArn);
    expect(allowed.code).toBe(0);
    const values = allowed.report.journal.flatMap((e: { values: { shown: unknown }[] }) =>
      e.values.map((v) => v.shown),
    );
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const shown of values) expect(shown).toMatchObject({ state: "decrypted", provider: "aws-kms" });
    const input = allowed.report.journal[0].values[0].shown;
    expect(JSON.parse(input.value.text)).toEqual({ amount: 7, note: "via KMS" });
    const note = allowed.report.state.state.find((s: { name: string }) => s.name === "note");
    expect(note.shown.value.text).toBe('"via KMS"');

    const refused = await show(otherArn);
    expect(refused.code).toBe(0);
    const reasons = refused.report.journal.flatMap((e: { values: { shown: { reason?: string } }[] }) =>
      e.values.map((v) => v.shown.reason),
    );
    expect(new Set(reasons)).toEqual(new Set(["key_not_allowed"]));
  });
});
