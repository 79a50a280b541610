/**
 * Asks a key provider for the data key of one parsed value, checking first that the provider can
 * have made it. Shared by the codec and `openEnvelope`.
 */
import type { ParsedEnvelope } from "./envelope.js";
import { JournalEncryptionError } from "./errors.js";
import type { KeyProvider } from "./key-provider.js";

export type UnwrapTarget =
  | { readonly kind: "envelope"; readonly envelope: ParsedEnvelope }
  | { readonly kind: "reference"; readonly wrappedKey: Uint8Array };

function checkedKey(key: unknown): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new JournalEncryptionError("provider_error", "key provider returned a data key that is not 32 bytes");
  }
  return key;
}

function unnamedUnsupported(provider: KeyProvider, what: string): JournalEncryptionError {
  return new JournalEncryptionError(
    "wrong_provider",
    `${what} needs a key provider that resolves unnamed KMS keys (kmsKeyProvider); this one is "${provider.kind}"`,
  );
}

/** Resolves the data key (a fresh array the caller zeroes when done) and the key id that unwrapped it. */
export async function unwrapFor(
  provider: KeyProvider,
  target: UnwrapTarget,
): Promise<{ key: Uint8Array; keyId: string }> {
  if (target.kind === "reference") {
    if (provider.kind !== "aws-kms" || provider.unwrapUnnamedDataKey === undefined) {
      throw unnamedUnsupported(provider, "a value of Restate's reference codec");
    }
    const result = await provider.unwrapUnnamedDataKey({
      wrappedKey: new Uint8Array(target.wrappedKey),
      keyFingerprint: undefined,
      source: "reference",
    });
    return { key: checkedKey(result.key), keyId: result.keyId };
  }
  const envelope = target.envelope;
  if (envelope.provider !== provider.kind) {
    throw new JournalEncryptionError(
      "wrong_provider",
      `value was sealed with a "${envelope.provider}" key provider; this one is "${provider.kind}"`,
    );
  }
  if (envelope.keyFingerprint !== undefined) {
    if (provider.unwrapUnnamedDataKey === undefined) throw unnamedUnsupported(provider, "a version-2 KMS envelope");
    const result = await provider.unwrapUnnamedDataKey({
      wrappedKey: new Uint8Array(envelope.wrappedKey),
      keyFingerprint: envelope.keyFingerprint,
      source: "envelope",
    });
    return { key: checkedKey(result.key), keyId: result.keyId };
  }
  const key = await provider.unwrapDataKey({ keyId: envelope.keyId, wrappedKey: new Uint8Array(envelope.wrappedKey) });
  return { key: checkedKey(key), keyId: envelope.keyId };
}
