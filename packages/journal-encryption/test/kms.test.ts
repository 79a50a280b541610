import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "../src/aes-gcm.js";
import { createJournalCodec, JournalEncryptionError, kmsKeyFingerprint } from "../src/index.js";
import { kmsKeyProvider } from "../src/kms.js";
import { classifyKmsError } from "../src/kms-errors.js";
import { referenceFrame } from "./reference-writer.js";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_ARN = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-12ab-34cd-56ef-1234567890ab";
const kms = mockClient(KMSClient);

afterEach(() => kms.reset());

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe("kmsKeyProvider (single branches against a mocked client)", () => {
  it("sends GenerateDataKey with AES_256, the context and grant tokens, and pins Decrypt to the envelope's key", async () => {
    const dataKey = randomBytes(32);
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: dataKey, CiphertextBlob: Uint8Array.of(9, 9, 9), KeyId: KEY_ARN });
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: KEY_ARN });
    const provider = kmsKeyProvider({ keyId: "alias/journal", client: new KMSClient({}), grantTokens: ["gt"] });
    const generated = await provider.generateDataKey();
    expect(generated.keyId).toBe(KEY_ARN);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({
      KeyId: "alias/journal",
      KeySpec: "AES_256",
      EncryptionContext: { purpose: "restate-journal" },
      GrantTokens: ["gt"],
    });
    await provider.unwrapDataKey({ keyId: KEY_ARN, wrappedKey: Uint8Array.of(9, 9, 9) });
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      CiphertextBlob: Uint8Array.of(9, 9, 9),
    });
  });

  it("refuses an envelope naming a key outside allowedKeyIds without calling KMS", async () => {
    const provider = kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) });
    await expect(provider.unwrapDataKey({ keyId: OTHER_ARN, wrappedKey: Uint8Array.of(1) })).rejects.toMatchObject({
      code: "key_not_allowed",
    });
    expect(kms.calls()).toHaveLength(0);
    const byId = kmsKeyProvider({
      keyId: KEY_ARN,
      client: new KMSClient({}),
      allowedKeyIds: ["1234abcd-12ab-34cd-56ef-1234567890ab"],
    });
    kms.on(DecryptCommand).resolves({ Plaintext: randomBytes(32), KeyId: KEY_ARN });
    await expect(byId.unwrapDataKey({ keyId: KEY_ARN, wrappedKey: Uint8Array.of(1) })).resolves.toHaveLength(32);
    await expect(byId.unwrapDataKey({ keyId: OTHER_ARN, wrappedKey: Uint8Array.of(1) })).rejects.toMatchObject({
      code: "key_not_allowed",
    });
  });

  it("refuses a Decrypt answer from a different key and incomplete answers", async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: randomBytes(32), KeyId: OTHER_ARN });
    const provider = kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) });
    await expect(provider.unwrapDataKey({ keyId: KEY_ARN, wrappedKey: Uint8Array.of(1) })).rejects.toMatchObject({
      code: "key_not_allowed",
    });
    kms.on(DecryptCommand).resolves({ Plaintext: randomBytes(16), KeyId: KEY_ARN });
    await expect(provider.unwrapDataKey({ keyId: KEY_ARN, wrappedKey: Uint8Array.of(1) })).rejects.toMatchObject({
      code: "provider_error",
    });
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: randomBytes(32), KeyId: KEY_ARN });
    await expect(provider.generateDataKey()).rejects.toMatchObject({ code: "provider_error" });
  });

  it("rejects aliases in allowedKeyIds and a missing keyId", () => {
    expect(() =>
      kmsKeyProvider({ keyId: KEY_ARN, allowedKeyIds: ["alias/journal"], client: new KMSClient({}) }),
    ).toThrow(/aliases can be re-pointed/);
    expect(() => kmsKeyProvider({ keyId: "" })).toThrow(/keyId is required/);
  });

  it("classifies throttling, internal and network failures as transient; disabled/denied keys as errors", () => {
    expect(classifyKmsError(awsError("ThrottlingException", 400), "Decrypt").code).toBe("provider_unavailable");
    expect(classifyKmsError(awsError("KMSInternalException", 500), "Decrypt").code).toBe("provider_unavailable");
    expect(
      classifyKmsError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "Decrypt").code,
    ).toBe("provider_unavailable");
    expect(classifyKmsError(awsError("DisabledException", 400), "Decrypt").code).toBe("provider_error");
    expect(classifyKmsError(awsError("AccessDeniedException", 400), "Decrypt").code).toBe("provider_error");
    expect(classifyKmsError(awsError("InvalidCiphertextException", 400), "Decrypt").code).toBe("provider_error");
    expect(classifyKmsError(awsError("DisabledException", 400), "Decrypt").message).not.toMatch(/happened/);
  });

  it("a codec retries a throttled Decrypt and succeeds", async () => {
    const dataKey = randomBytes(32);
    kms
      .on(GenerateDataKeyCommand) // a copy: the codec owns (and wipes) the array the provider hands it
      .resolves({ Plaintext: new Uint8Array(dataKey), CiphertextBlob: Uint8Array.of(1, 2, 3), KeyId: KEY_ARN });
    const writer = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) }),
    });
    const sealed = writer.encode(new TextEncoder().encode("v"));
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: randomBytes(32), CiphertextBlob: Uint8Array.of(4), KeyId: KEY_ARN });
    kms
      .on(DecryptCommand)
      .rejectsOnce(awsError("ThrottlingException", 400))
      .resolves({ Plaintext: dataKey, KeyId: KEY_ARN });
    const reader = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) }),
      decodeRetry: { initialDelayMs: 1 },
    });
    expect(new TextDecoder().decode(await reader.decode(sealed))).toBe("v");
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it("reads the reference codec's fixed 184-byte layout: Decrypt gets exactly those bytes, pinned, no context", async () => {
    const dataKey = randomBytes(32);
    const blob = Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, ...randomBytes(179)]);
    const frame = referenceFrame("fixed-blob", blob, dataKey, randomBytes(12), new TextEncoder().encode('"old"'));
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: randomBytes(32), CiphertextBlob: Uint8Array.of(7), KeyId: KEY_ARN });
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: KEY_ARN });
    const codec = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) }),
      readReferenceFormat: true,
    });
    expect(new TextDecoder().decode(await codec.decode(frame))).toBe('"old"');
    const input = kms.commandCalls(DecryptCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: undefined });
    expect(Buffer.from(input?.CiphertextBlob as Uint8Array)).toEqual(Buffer.from(blob));
  });

  it("explains KMS failures in words, never with the SDK's message text", () => {
    const cases: [unknown, RegExp, string][] = [
      [new Error("Region is missing"), /no AWS region is configured/, "provider_error"],
      [
        Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
        /no AWS credentials were found/,
        "provider_error",
      ],
      [
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
        /KMS endpoint could not be reached \(ECONNREFUSED\)/,
        "provider_unavailable",
      ],
      [awsError("DisabledException", 400), /the KMS key is disabled/, "provider_error"],
      [awsError("InvalidCiphertextException", 400), /different encryption context/, "provider_error"],
      [awsError("NotFoundException", 400), /does not exist in this account and region/, "provider_error"],
      [awsError("UnrecognizedClientException", 400), /did not accept the AWS credentials/, "provider_error"],
      [awsError("KMSInvalidStateException", 400), /pending deletion/, "provider_error"],
    ];
    for (const [error, words, code] of cases) {
      const typed = classifyKmsError(error, "Decrypt");
      expect(typed.message).toMatch(words);
      expect(typed.message).not.toMatch(/happened|Could not load|127\.0\.0\.1/);
      expect(typed).toMatchObject({ code, retryable: code === "provider_unavailable" });
    }
  });

  it("version-2 envelopes: Decrypt is pinned to each allowed key with the fingerprint, colliding keys included", async () => {
    // Two key ids whose 7-bit fingerprints collide (there are only 128).
    const byFingerprint = new Map<number, string>();
    let pair: [string, string] | undefined;
    while (pair === undefined) {
      const id = crypto.randomUUID();
      const other = byFingerprint.get(kmsKeyFingerprint(id));
      if (other !== undefined) pair = [other, id];
      else byFingerprint.set(kmsKeyFingerprint(id), id);
    }
    const [first, second] = pair.map((id) => `arn:aws:kms:us-east-1:111122223333:key/${id}`) as [string, string];
    const stranger = [...byFingerprint.values()].find((id) => kmsKeyFingerprint(id) !== kmsKeyFingerprint(first));
    const dataKey = randomBytes(32);
    kms
      .on(DecryptCommand, { KeyId: first })
      .rejects(awsError("IncorrectKeyException", 400))
      .on(DecryptCommand, { KeyId: second })
      .resolves({ Plaintext: dataKey, KeyId: second });
    const provider = kmsKeyProvider({
      keyId: first,
      allowedKeyIds: [first, `arn:aws:kms:us-east-1:111122223333:key/${stranger}`, second],
      client: new KMSClient({}),
    });
    const unwrapped = await provider.unwrapUnnamedDataKey?.({
      wrappedKey: Uint8Array.of(1, 2, 3),
      keyFingerprint: kmsKeyFingerprint(first),
      source: "envelope",
    });
    expect(unwrapped?.keyId).toBe(second);
    expect(Buffer.from(unwrapped?.key as Uint8Array)).toEqual(Buffer.from(dataKey));
    // The key with another fingerprint was never asked; both colliding keys were, pinned, with the context.
    expect(kms.commandCalls(DecryptCommand).map((call) => call.args[0].input.KeyId)).toEqual([first, second]);
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toEqual({
      purpose: "restate-journal",
    });
    kms.reset();
    kms.on(DecryptCommand).rejects(awsError("IncorrectKeyException", 400));
    await expect(
      provider.unwrapUnnamedDataKey?.({
        wrappedKey: Uint8Array.of(1),
        keyFingerprint: kmsKeyFingerprint(first),
        source: "envelope",
      }),
    ).rejects.toMatchObject({ code: "key_not_allowed" });
    kms.reset();
    kms.on(DecryptCommand).rejects(awsError("DisabledException", 400));
    await expect(
      provider.unwrapUnnamedDataKey?.({
        wrappedKey: Uint8Array.of(1),
        keyFingerprint: kmsKeyFingerprint(first),
        source: "envelope",
      }),
    ).rejects.toMatchObject({ code: "provider_error", message: expect.stringMatching(/the KMS key is disabled/) });
  });

  it("every bit of a version-2 KMS envelope is authenticated: each flip is a typed refusal, never plaintext", async () => {
    // A stand-in KMS that, like the real one, decrypts only the exact blob under the pinned key.
    const dataKey = randomBytes(32);
    const blob = Uint8Array.from([0x01, 0x02, 0x02, 0x00, 0x78, ...randomBytes(179)]);
    kms
      .on(GenerateDataKeyCommand)
      .callsFake(() => ({ Plaintext: new Uint8Array(dataKey), CiphertextBlob: blob, KeyId: KEY_ARN }));
    kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array; KeyId: string }) => {
      if (input.KeyId !== KEY_ARN) throw awsError("IncorrectKeyException", 400);
      if (!Buffer.from(input.CiphertextBlob).equals(Buffer.from(blob)))
        throw awsError("InvalidCiphertextException", 400);
      return { Plaintext: new Uint8Array(dataKey), KeyId: KEY_ARN };
    });
    const writer = await createJournalCodec({
      keyProvider: kmsKeyProvider({ keyId: KEY_ARN, client: new KMSClient({}) }),
    });
    const sealed = writer.encode(new TextEncoder().encode('{"v":1}'));
    const reader = () =>
      createJournalCodec({
        keyProvider: kmsKeyProvider({ keyId: KEY_ARN, allowedKeyIds: [KEY_ARN, OTHER_ARN], client: new KMSClient({}) }),
        decodeRetry: { maxAttempts: 1 },
      });
    const fresh = await reader();
    expect(new TextDecoder().decode(await fresh.decode(sealed))).toBe('{"v":1}');
    const codes = new Set<string>();
    const codec = await reader(); // one reader for all flips: refusals are remembered per blob, not per value
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const copy = new Uint8Array(sealed);
      copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
      const error = await codec.decode(copy).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `bit ${bit}`).toBeInstanceOf(JournalEncryptionError);
      codes.add((error as JournalEncryptionError).code);
    }
    // The key byte (fingerprint → key_not_allowed), the blob (KMS refuses it), the nonce, ciphertext
    // and tag (AES-GCM); magic and version bytes and the lengths are refused by the parser.
    for (const code of ["authentication_failed", "key_not_allowed", "provider_error", "invalid_envelope"]) {
      expect(codes).toContain(code);
    }
  });
});
