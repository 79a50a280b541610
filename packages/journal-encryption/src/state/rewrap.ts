import type { ProviderKind } from "../envelope.js";
import { parseEnvelope } from "../envelope.js";
import { unwrapFor } from "../envelope-unwrap.js";
import { JournalEncryptionError } from "../errors.js";
import { type EnvelopeInfo, inspectValue, openEnvelope } from "../inspect.js";
import type { KeyProvider } from "../key-provider.js";
import { namesKey } from "./key-match.js";
import { type RewriteOptions, type RewriteReport, rewriteState } from "./rewrite.js";

export interface RewrapStateOptions extends Omit<RewriteOptions, "select" | "transform"> {
  /** Seals under the new key: a codec from `createJournalCodec` whose provider uses `activeKey`. */
  codec: { encode(value: Uint8Array): Uint8Array };
  /** The key the codec seals under; values already under it are left alone. */
  activeKey: { provider: ProviderKind; keyId: string };
  /** Values sealed under these keys (local ids, KMS key ARNs or key ids) are re-sealed. */
  fromKeyIds?: readonly string[];
  /** Also re-seal values written by Restate's reference codec. Default false. */
  fromReferenceFormat?: boolean;
  /** Providers that open the old values, one per kind; a KMS provider must allow the old keys. */
  keyProviders: readonly KeyProvider[];
}

/**
 * Re-seals state values under the codec's current key: for retiring or replacing a key (say, one
 * that was exposed), or for leaving the reference codec's format. Values under other keys,
 * plaintext and malformed values are left alone; a re-run finds nothing to do. Concurrent writers
 * are never overwritten (see `rewriteState`).
 *
 * @example
 * ```ts
 * const report = await rewrapState({
 *   admin, codec, activeKey: { provider: "local", keyId: "2026-06" },
 *   fromKeyIds: ["2026-01"], keyProviders: [localKeyProvider({ keys, activeKeyId: "2026-06" })],
 * });
 * ```
 */
export function rewrapState(options: RewrapStateOptions): Promise<RewriteReport> {
  const { codec, activeKey, fromKeyIds = [], fromReferenceFormat = false, keyProviders, ...rest } = options;
  if (fromKeyIds.length === 0 && !fromReferenceFormat) {
    throw new JournalEncryptionError("invalid_option", "rewrapState: give fromKeyIds or fromReferenceFormat");
  }
  const isActive = (info: EnvelopeInfo) => info.provider === activeKey.provider && namesKey(info, activeKey.keyId);
  if (fromKeyIds.some((id) => id === activeKey.keyId)) {
    throw new JournalEncryptionError("invalid_option", "rewrapState: the active key is among fromKeyIds");
  }
  const providerFor = (kind: ProviderKind) => {
    const provider = keyProviders.find((candidate) => candidate.kind === kind);
    if (!provider) throw new JournalEncryptionError("wrong_provider", `no "${kind}" key provider was given`);
    return provider;
  };
  const fromMatch = (info: EnvelopeInfo) => {
    const matches = fromKeyIds.map((id) => namesKey(info, id));
    return matches.includes("yes") ? "yes" : matches.includes("maybe") ? "maybe" : "no";
  };

  return rewriteState({
    ...rest,
    select(value) {
      const info = inspectValue(value);
      if (info.format === "reference") return fromReferenceFormat;
      if (info.format !== "envelope") return false;
      return fromMatch(info) !== "no" && isActive(info) !== "yes";
    },
    async transform(value) {
      const info = inspectValue(value);
      if (info.format !== "envelope" && info.format !== "reference") return undefined;
      const provider = providerFor(info.provider);
      if (info.format === "envelope" && (fromMatch(info) === "maybe" || isActive(info) === "maybe")) {
        // A 7-bit fingerprint matched: ask the provider which key it really is.
        const { key, keyId } = await unwrapFor(provider, { kind: "envelope", envelope: parseEnvelope(value) });
        key.fill(0);
        if (keyId === activeKey.keyId || !fromKeyIds.some((id) => namesKey({ ...info, keyId }, id) === "yes")) {
          return undefined;
        }
      }
      return codec.encode(await openEnvelope(value, provider, { readReferenceFormat: fromReferenceFormat }));
    },
  });
}
