import { toBase64 } from "../bytes.js";
import type { KeyProvider } from "../key-provider.js";

/**
 * A key provider that unwraps each distinct data key once per run (or is refused once): a state scan opens many values
 * sealed under the same data key, and KMS bills (and throttles) every `Decrypt`. `openEnvelope`
 * wipes the key it is handed, so each caller gets a copy. `wipe()` zeroes the cache.
 */
export function cachingKeyProvider(inner: KeyProvider): KeyProvider & { wipe(): void } {
  const keys = new Map<string, Promise<{ key: Uint8Array; keyId: string }>>();
  const remember = (id: string, load: () => Promise<{ key: Uint8Array; keyId: string }>) => {
    let entry = keys.get(id);
    if (!entry) {
      entry = load();
      keys.set(id, entry);
      // A definitive refusal (a tampered or foreign data key) is remembered: a store can hold the
      // same bad value many times, and each would cost a KMS call. Only a retryable failure
      // (unreachable, throttled) is tried again.
      entry.catch((error: unknown) => {
        if ((error as { retryable?: unknown })?.retryable !== false) keys.delete(id);
      });
    }
    return entry.then(({ key, keyId }) => ({ key: new Uint8Array(key), keyId }));
  };
  const provider: KeyProvider & { wipe(): void } = {
    kind: inner.kind,
    generateDataKey: () => inner.generateDataKey(),
    async unwrapDataKey(input) {
      const id = `named\u0000${input.keyId}\u0000${toBase64(input.wrappedKey)}`;
      return (await remember(id, async () => ({ key: await inner.unwrapDataKey(input), keyId: input.keyId }))).key;
    },
    wipe() {
      for (const entry of keys.values())
        entry.then(
          ({ key }) => key.fill(0),
          () => {},
        );
      keys.clear();
    },
  };
  const unnamed = inner.unwrapUnnamedDataKey?.bind(inner);
  if (unnamed) {
    provider.unwrapUnnamedDataKey = (request) =>
      remember(
        `unnamed\u0000${request.source}\u0000${request.keyFingerprint}\u0000${toBase64(request.wrappedKey)}`,
        () => unnamed(request),
      );
  }
  return provider;
}
