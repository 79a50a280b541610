/**
 * The keys one `show` run (or one console page) opens values with. Each wrapped data key is
 * unwrapped at most once per session, however many values it sealed: with KMS that is one
 * `Decrypt` call per data key instead of one per value. The cache lives as long as the session
 * and is wiped by `close()`.
 */
import { toBase64 } from "../bytes.js";
import type { ProviderKind } from "../envelope.js";
import type { KeyProvider, UnnamedDataKeyRequest } from "../key-provider.js";

/** Anything that hands out a provider per kind (the CLI's key ring satisfies it). */
export interface KeySource {
  providerFor(kind: ProviderKind): KeyProvider | undefined;
}

export interface SessionKeys extends KeySource {
  /** How many unwrap calls reached the underlying providers. */
  readonly unwrapCalls: () => number;
  close(): void;
}

/** Wraps each provider of `source` with a per-session unwrap cache. */
export function sessionKeys(source: KeySource): SessionKeys {
  const cache = new Map<string, Promise<{ key: Uint8Array; keyId: string }>>();
  const wrapped = new Map<ProviderKind, KeyProvider | undefined>();
  let calls = 0;
  let closed = false;

  const remember = (id: string, unwrap: () => Promise<{ key: Uint8Array; keyId: string }>) => {
    let entry = cache.get(id);
    if (entry === undefined) {
      calls++;
      entry = unwrap();
      if (!closed) cache.set(id, entry);
    }
    // Callers zero the key they get when done: hand out copies.
    return entry.then(({ key, keyId }) => ({ key: new Uint8Array(key), keyId }));
  };

  const wrap = (inner: KeyProvider): KeyProvider => ({
    kind: inner.kind,
    generateDataKey: () => inner.generateDataKey(),
    unwrapDataKey: async (input) => {
      const id = `named\u0000${input.keyId}\u0000${toBase64(input.wrappedKey)}`;
      const { key } = await remember(id, async () => ({
        key: new Uint8Array(await inner.unwrapDataKey(input)),
        keyId: input.keyId,
      }));
      return key;
    },
    ...(inner.unwrapUnnamedDataKey === undefined
      ? {}
      : {
          unwrapUnnamedDataKey: (request: UnnamedDataKeyRequest) => {
            const id = `unnamed\u0000${request.source}\u0000${request.keyFingerprint ?? ""}\u0000${toBase64(request.wrappedKey)}`;
            return remember(id, async () => {
              const result = await (inner.unwrapUnnamedDataKey as NonNullable<KeyProvider["unwrapUnnamedDataKey"]>)(
                request,
              );
              return { key: new Uint8Array(result.key), keyId: result.keyId };
            });
          },
        }),
  });

  return {
    providerFor(kind) {
      if (!wrapped.has(kind)) {
        const inner = source.providerFor(kind);
        wrapped.set(kind, inner === undefined ? undefined : wrap(inner));
      }
      return wrapped.get(kind);
    },
    unwrapCalls: () => calls,
    close() {
      closed = true;
      for (const entry of cache.values()) {
        entry.then(
          ({ key }) => key.fill(0),
          () => undefined,
        );
      }
      cache.clear();
    },
  };
}
