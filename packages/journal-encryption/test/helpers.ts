import { generateLocalKey, type KeyProvider, localKeyProvider } from "../src/index.js";

export const RUNS = Number(process.env.FC_RUNS ?? 300);

export function localProvider(ids: string[] = ["k1"], active = ids[0] as string) {
  const keys = Object.fromEntries(ids.map((id) => [id, generateLocalKey()]));
  return { keys, provider: localKeyProvider({ keys, activeKeyId: active }) };
}

/** Wraps a provider, counting calls and letting a test make it fail on demand. */
export function controllableProvider(inner: KeyProvider) {
  const state = { generate: 0, unwrap: 0, failWith: undefined as Error | undefined, unwrapDelayMs: 0 };
  const provider: KeyProvider = {
    kind: inner.kind,
    async generateDataKey() {
      state.generate++;
      if (state.failWith) throw state.failWith;
      return inner.generateDataKey();
    },
    async unwrapDataKey(input) {
      state.unwrap++;
      if (state.unwrapDelayMs) await new Promise((r) => setTimeout(r, state.unwrapDelayMs));
      if (state.failWith) throw state.failWith;
      return inner.unwrapDataKey(input);
    },
  };
  return { provider, state };
}

export const text = (value: string) => new TextEncoder().encode(value);
