/**
 * One stored value, made readable: decrypted and rendered, or the reason it cannot be.
 */
import { isJournalEncryptionError, type JournalEncryptionErrorCode } from "../errors.js";
import { inspectValue, openEnvelope } from "../inspect.js";
import { type RenderedValue, renderValue } from "./render-value.js";
import type { KeySource } from "./session-keys.js";

/** Why a value cannot be shown decrypted. */
export const UNREADABLE_REASONS = [
  "unknown_key",
  "key_not_allowed",
  "tampered",
  "no_keys_for_provider",
  "invalid_envelope",
  "unsupported_version",
  "provider_unavailable",
  "provider_error",
] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

const REASON_TEXT: Record<UnreadableReason, string> = {
  unknown_key: "sealed under a key that was not given here",
  key_not_allowed: "sealed under a KMS key outside the allowed keys",
  tampered: "authentication failed: the stored value was modified, or the key is not the one it was sealed with",
  no_keys_for_provider: "sealed by a key provider of a kind this session has no keys for",
  invalid_envelope: "starts like an encrypted value but is malformed or truncated",
  unsupported_version: "written by an envelope format version this tool does not know",
  provider_unavailable: "the key provider could not be reached; try again",
  provider_error: "the key provider refused to unwrap the data key",
};

/** What is known about where a value's key came from (no secrets). */
export interface ValueOrigin {
  readonly format: "envelope" | "reference";
  readonly provider: string;
  /** The key id the value names, or the one that unwrapped it; undefined when neither is known. */
  readonly keyId: string | undefined;
}

export type DescribedValue =
  | ({ readonly state: "decrypted"; readonly value: RenderedValue } & ValueOrigin)
  | { readonly state: "plaintext"; readonly value: RenderedValue }
  | ({
      readonly state: "unreadable";
      readonly reason: UnreadableReason;
      /** A sentence for people, free of key material. */
      readonly message: string;
    } & Partial<ValueOrigin>);

function reasonOf(code: JournalEncryptionErrorCode): UnreadableReason {
  switch (code) {
    case "unknown_key":
    case "key_not_allowed":
    case "invalid_envelope":
    case "unsupported_version":
    case "provider_unavailable":
      return code;
    case "authentication_failed":
      return "tampered";
    case "wrong_provider":
      return "no_keys_for_provider";
    default:
      return "provider_error";
  }
}

/** A reason as a sentence. */
export function describeReason(reason: UnreadableReason): string {
  return REASON_TEXT[reason];
}

/**
 * Decrypts one stored value with the session's keys, or says why it cannot: never throws for
 * anything the value contains. Plaintext is shown as it is stored (flagged `plaintext`).
 *
 * @example
 * ```ts
 * const shown = await describeValue(bytes, sessionKeys(keyRing));
 * if (shown.state === "decrypted") console.log(shown.value.text);
 * ```
 */
export async function describeValue(bytes: Uint8Array, keys: KeySource): Promise<DescribedValue> {
  const info = inspectValue(bytes);
  if (info.format === "plaintext") return { state: "plaintext", value: renderValue(bytes) };
  if (info.format === "invalid") {
    const reason = info.code === "unsupported_version" ? "unsupported_version" : "invalid_envelope";
    return { state: "unreadable", reason, message: describeReason(reason), format: info.claimed };
  }
  const origin: ValueOrigin = { format: info.format, provider: info.provider, keyId: info.keyId };
  const provider = keys.providerFor(info.provider);
  if (provider === undefined) {
    return {
      state: "unreadable",
      reason: "no_keys_for_provider",
      message: `sealed with a "${info.provider}" key and no ${info.provider === "local" ? "local keys" : "KMS access"} were given`,
      ...origin,
    };
  }
  try {
    const plaintext = await openEnvelope(bytes, provider, { readReferenceFormat: true });
    return { state: "decrypted", value: renderValue(plaintext), ...origin };
  } catch (error) {
    if (!isJournalEncryptionError(error)) throw error;
    const reason = reasonOf(error.code);
    return { state: "unreadable", reason, message: describeReason(reason), ...origin };
  }
}
