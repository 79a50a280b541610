// Runtime-agnostic checks of @restate-connect/identity and @restate-connect/journal-encryption, run by
// run.mjs under every runtime of the matrix. Public API and standard Web APIs only: no node:* here.
import { createSigner, createVerifier, generateKeyPair } from "@restate-connect/identity";
import { createJournalCodec, localKeyProvider } from "@restate-connect/journal-encryption";
import vectors from "../../packages/journal-encryption/test/vectors/v1.json";
import serverTokens from "./fixtures/server-tokens.json";

export interface CheckResult {
  check: string;
  ok: boolean;
  backend?: string;
  detail?: string;
}

type Check = () => Promise<string | undefined>;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function fromHex(hex: string): Uint8Array {
  assert(hex.length % 2 === 0 && /^[0-9a-f]*$/i.test(hex), `not hex: ${hex.slice(0, 16)}…`);
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const checks: Array<[string, Check]> = [
  [
    "identity: verifies tokens restate-server 1.7.12 sent",
    async () => {
      let backend: string | undefined;
      for (const request of serverTokens.requests) {
        const headers = { "x-restate-signature-scheme": request.scheme, "x-restate-jwt-v1": request.token };
        const at = (seconds: number) =>
          createVerifier({ keys: [serverTokens.publicKey], cache: false, now: () => seconds * 1000 });
        const verifier = at(request.iat);
        const accepted = await verifier.verify(headers, request.path);
        assert(accepted.ok, `${request.path}: ${accepted.ok ? "" : `${accepted.code}: ${accepted.message}`}`);
        const late = await at(request.exp + 1).verify(headers, request.path);
        assert(!late.ok && late.code === "expired", `${request.path} one second after exp: ${JSON.stringify(late)}`);
        backend = verifier.crypto;
      }
      return backend;
    },
  ],
  [
    "identity: signer tokens accepted; forged and misdirected ones rejected",
    async () => {
      const { privateKeyPem, publicKey } = generateKeyPair();
      const other = generateKeyPair();
      const signer = createSigner({ privateKeyPem });
      const headers = await signer.sign("/invoke/Greeter/greet");
      const own = createVerifier({ keys: [publicKey] });
      const accepted = await own.verify(headers, "/some/prefix/invoke/Greeter/greet");
      assert(accepted.ok, `own token: ${JSON.stringify(accepted)}`);
      const forged = await createVerifier({ keys: [other.publicKey] }).verify(headers, "/invoke/Greeter/greet");
      assert(!forged.ok && forged.code === "bad_signature", `token of another key: ${JSON.stringify(forged)}`);
      const misdirected = await own.verify(headers, "/invoke/Greeter/other");
      assert(!misdirected.ok && misdirected.code === "audience_mismatch", `other path: ${JSON.stringify(misdirected)}`);
      return own.crypto;
    },
  ],
  [
    "journal-encryption: committed v1 vectors decode",
    async () => {
      let backend: string | undefined;
      for (const vector of vectors.vectors) {
        const codec = await createJournalCodec({
          keyProvider: localKeyProvider({
            keys: { [vector.keyId]: fromHex(vector.keyEncryptionKeyHex) },
            activeKeyId: vector.keyId,
          }),
        });
        try {
          const decoded = await codec.decode(fromHex(vector.envelopeHex));
          assert(equal(decoded, fromHex(vector.plaintextHex)), `vector "${vector.name}" decoded to other bytes`);
          backend = codec.stats().crypto;
        } finally {
          await codec.close();
        }
      }
      return backend;
    },
  ],
  [
    "journal-encryption: round trip 0 B–64 KiB, tampering detected",
    async () => {
      const key = crypto.getRandomValues(new Uint8Array(32));
      const codec = await createJournalCodec({
        keyProvider: localKeyProvider({ keys: { k1: key }, activeKeyId: "k1" }),
      });
      try {
        for (const size of [0, 1, 1024, 65_536]) {
          const value = crypto.getRandomValues(new Uint8Array(size));
          const decoded = await codec.decode(codec.encode(value));
          assert(equal(decoded, value), `round trip of ${size} bytes changed the value`);
        }
        const encoded = codec.encode(new TextEncoder().encode("secret"));
        encoded[encoded.length - 1] = (encoded[encoded.length - 1] ?? 0) ^ 1;
        const outcome = await codec.decode(encoded).then(
          () => "accepted",
          (error: { code?: unknown }) => (typeof error?.code === "string" ? error.code : "untyped error"),
        );
        assert(outcome !== "accepted" && outcome !== "untyped error", `tampered value: ${outcome}`);
        return codec.stats().crypto;
      } finally {
        await codec.close();
      }
    },
  ],
];

export async function runChecks(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [check, run] of checks) {
    try {
      const backend = await run();
      results.push({ check, ok: true, ...(backend ? { backend } : {}) });
    } catch (error) {
      results.push({ check, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
