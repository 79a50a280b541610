// The one runtime seam. Everything else in the package is plain TypeScript over Uint8Array.
//
// Order of preference ("auto"):
//  1. "node": Node's own `crypto` with KeyObjects created once per key (fastest: no per-call import,
//     no promise hop inside OpenSSL). Loaded without a static `import "node:crypto"` so the built ESM
//     loads in runtimes that have no such module: `process.getBuiltinModule` (Node ≥ 20.16 / 22.3),
//     else a dynamic import with a non-literal specifier that bundlers leave alone.
//  2. "webcrypto": `crypto.subtle` Ed25519 (Deno, Bun, workerd, Vercel edge, browsers). Probed once; a
//     runtime without Ed25519 support falls back to 3.
//  3. "noble": @noble/ed25519 (audited pure JS) with @noble/hashes' SHA-512; works everywhere.
// All three produce exactly the same signatures (Ed25519 is deterministic) and accept exactly the same
// ones: OpenSSL (behind both "node" and Node's Web Crypto) checks the RFC 8032 equation without the
// cofactor and compares R byte for byte, so the noble path does the same (see nobleVerify), and keys
// that would make implementations disagree (small-order or mixed-order points, non-canonical
// encodings) are refused before they reach any of them (keys.ts). The tests prove the agreement.
import type * as NodeCrypto from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { SPKI_PREFIX, withPrefix } from "./der.js";
import { IdentityError } from "./errors.js";

/** Which Ed25519 implementation a verifier or signer uses. */
export type CryptoName = "node" | "webcrypto" | "noble";
/** The `crypto` option: `"auto"` (default) picks the fastest available; a name forces that implementation. */
export type CryptoOption = "auto" | CryptoName;

/** Every accepted value of the `crypto` option. */
export const CRYPTO_OPTIONS: readonly CryptoOption[] = ["auto", "node", "webcrypto", "noble"];

export type VerifyFunction = (data: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;
export type SignFunction = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface CryptoBackend {
  readonly name: CryptoName;
  importPublicKey(raw: Uint8Array): Promise<VerifyFunction>;
  /** `pkcs8` is the DER of the private key, `seed` its 32-byte secret. */
  importPrivateKey(pkcs8: Uint8Array, seed: Uint8Array): Promise<SignFunction>;
}

type NodeCryptoModule = typeof NodeCrypto;

/** Real Node.js (not Bun/Deno/edge runtimes that imitate parts of it). */
function isNode(): boolean {
  const g = globalThis as { process?: { versions?: Record<string, string | undefined> }; Deno?: unknown };
  const versions = g.process?.versions;
  return (
    typeof versions?.node === "string" && versions.bun === undefined && g.Deno === undefined && !("EdgeRuntime" in g)
  );
}

function hasSubtle(): boolean {
  return typeof globalThis.crypto?.subtle?.importKey === "function";
}

/** The backend `preference` resolves to, decided synchronously (a Web Crypto without Ed25519 later degrades to noble). */
export function selectBackend(preference: CryptoOption = "auto"): CryptoName {
  if (preference !== "auto") return preference;
  if (isNode()) return "node";
  if (hasSubtle()) return "webcrypto";
  return "noble";
}

async function loadNodeCrypto(): Promise<NodeCryptoModule> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = proc?.getBuiltinModule?.("node:crypto") as NodeCryptoModule | undefined;
  if (builtin) return builtin;
  const specifier = ["node", "crypto"].join(":");
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as NodeCryptoModule;
}

function nodeBackend(nodeCrypto: NodeCryptoModule): CryptoBackend {
  return {
    name: "node",
    async importPublicKey(raw) {
      const der = withPrefix(SPKI_PREFIX, raw);
      const key = nodeCrypto.createPublicKey({ key: der as Buffer, format: "der", type: "spki" });
      return (data, signature) => nodeCrypto.verify(null, data, key, signature);
    },
    async importPrivateKey(pkcs8) {
      const key = nodeCrypto.createPrivateKey({ key: pkcs8 as Buffer, format: "der", type: "pkcs8" });
      return (data) => new Uint8Array(nodeCrypto.sign(null, data, key));
    },
  };
}

const ED25519 = { name: "Ed25519" } as const;

function webCryptoBackend(subtle: SubtleCrypto): CryptoBackend {
  return {
    name: "webcrypto",
    async importPublicKey(raw) {
      const key = await subtle.importKey("raw", raw as BufferSource, ED25519, false, ["verify"]);
      return (data, signature) => subtle.verify(ED25519, key, signature as BufferSource, data as BufferSource);
    },
    async importPrivateKey(pkcs8) {
      const key = await subtle.importKey("pkcs8", pkcs8 as BufferSource, ED25519, false, ["sign"]);
      return async (data) => new Uint8Array(await subtle.sign(ED25519, key, data as BufferSource));
    },
  };
}

let nobleReady = false;
/** @noble/ed25519 with synchronous SHA-512 configured (done lazily so importing this file has no side effect). */
export function noble(): typeof ed {
  if (!nobleReady) {
    ed.hashes.sha512 = sha512;
    nobleReady = true;
  }
  return ed;
}

const ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

/**
 * RFC 8032 §5.1.7 verification as OpenSSL does it: S < L, then [S]B − [k]A encoded must equal the
 * R bytes exactly (cofactorless). noble's own `verify` multiplies by the cofactor, which accepts an R
 * with a small-order component that OpenSSL and Web Crypto reject; the three paths must agree.
 */
function nobleVerify(publicKey: Uint8Array, point: ed.Point, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const s = littleEndian(signature.subarray(32));
  if (s >= ORDER) return false;
  const r = signature.subarray(0, 32);
  const hashInput = new Uint8Array(64 + data.length);
  hashInput.set(r);
  hashInput.set(publicKey, 32);
  hashInput.set(data, 64);
  const k = littleEndian(sha512(hashInput)) % ORDER;
  const lib = noble();
  const check = lib.Point.BASE.multiply(s, false).subtract(point.multiply(k, false)).toBytes();
  let difference = 0;
  for (let i = 0; i < 32; i++) difference |= (check[i] as number) ^ (r[i] as number);
  return difference === 0;
}

const nobleBackend: CryptoBackend = {
  name: "noble",
  async importPublicKey(raw) {
    const publicKey = raw.slice();
    const point = noble().Point.fromBytes(publicKey, false);
    return (data, signature) => {
      try {
        return nobleVerify(publicKey, point, data, signature);
      } catch {
        return false;
      }
    };
  },
  async importPrivateKey(_pkcs8, seed) {
    const lib = noble();
    const secret = seed.slice();
    return (data) => lib.sign(data, secret);
  },
};

// A fixed, valid Ed25519 public key used once to learn whether Web Crypto supports Ed25519.
const PROBE_KEY = Uint8Array.from([
  0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72,
  0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
]);

const loaded = new Map<CryptoOption, Promise<CryptoBackend>>();

/** Loads (once per preference) the backend `preference` resolves to. Rejects with `crypto_unavailable` when forced and missing. */
export function loadBackend(preference: CryptoOption = "auto"): Promise<CryptoBackend> {
  let backend = loaded.get(preference);
  if (!backend) {
    backend = resolve(preference);
    loaded.set(preference, backend);
  }
  return backend;
}

async function resolve(preference: CryptoOption): Promise<CryptoBackend> {
  const name = selectBackend(preference);
  if (name === "noble") return nobleBackend;
  if (name === "node") {
    try {
      return nodeBackend(await loadNodeCrypto());
    } catch {
      if (preference === "node")
        throw new IdentityError("crypto_unavailable", "node:crypto is not available in this runtime");
      return hasSubtle() ? resolve("webcrypto") : nobleBackend;
    }
  }
  if (!hasSubtle()) {
    if (preference === "webcrypto") throw new IdentityError("crypto_unavailable", "Web Crypto is not available");
    return nobleBackend;
  }
  const subtle = globalThis.crypto.subtle;
  try {
    await subtle.importKey("raw", PROBE_KEY, ED25519, false, ["verify"]);
    return webCryptoBackend(subtle);
  } catch {
    if (preference === "webcrypto") throw new IdentityError("crypto_unavailable", "Web Crypto here has no Ed25519");
    return nobleBackend;
  }
}
