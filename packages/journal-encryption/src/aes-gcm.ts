/**
 * The one crypto seam of the package: synchronous AES-256-GCM and random bytes.
 *
 * `JournalValueCodec.encode` is synchronous and Web Crypto is asynchronous only, so:
 * - where `process.getBuiltinModule("node:crypto")` exists (Node ≥ 20.16, and runtimes whose Node
 *   compatibility layer provides it), native AES-GCM is used. It is loaded lazily through
 *   `getBuiltinModule` rather than a static `import "node:crypto"`, so bundles for workerd,
 *   Vercel edge or browsers neither fail to resolve nor pull in a Node polyfill;
 * - everywhere else, `@noble/ciphers` (audited, pure JS) computes the identical bytes.
 * The native path is adopted only after its output matches noble's on a self-test value.
 * Random bytes always come from `globalThis.crypto.getRandomValues` (a CSPRNG on every runtime).
 */
import { gcm } from "@noble/ciphers/aes.js";
import { JournalEncryptionError } from "./errors.js";

/** Which AES-GCM implementation a codec uses (what `stats().crypto` reports). */
export type CryptoBackend = "node" | "noble";

/**
 * The `crypto` option: `"auto"` (native where available, else noble), `"node"` or `"noble"`.
 * Web Crypto is not offered: its AES-GCM is asynchronous only, and the SDK's `encode` is synchronous.
 */
export type CryptoImplementation = "auto" | CryptoBackend;

export const GCM_TAG_LENGTH = 16;
export const GCM_NONCE_LENGTH = 12;
export const AES_KEY_LENGTH = 32;

export interface AesGcm {
  readonly crypto: CryptoBackend;
  /** Encrypts `plaintext`, writing ciphertext then the 16-byte tag into `out` at `offset`. */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    offset: number,
  ): void;
  /** Decrypts ciphertext‖tag; throws `authentication_failed` when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

interface NodeCipher {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
  setAuthTag(tag: Uint8Array): unknown;
}
interface NodeCryptoSubset {
  createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeCipher;
  createDecipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeCipher;
}

function authenticationFailed(cause?: unknown): JournalEncryptionError {
  return new JournalEncryptionError(
    "authentication_failed",
    "AES-GCM authentication failed: the value was modified or was encrypted under a different key",
    cause === undefined ? undefined : { cause },
  );
}

const nobleAesGcm: AesGcm = {
  crypto: "noble",
  seal(key, nonce, aad, plaintext, out, offset) {
    out.set(gcm(key, nonce, aad).encrypt(plaintext), offset);
  },
  open(key, nonce, aad, sealed) {
    if (sealed.length < GCM_TAG_LENGTH) throw authenticationFailed();
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch (error) {
      throw authenticationFailed(error);
    }
  },
};

function nodeAesGcm(crypto: NodeCryptoSubset): AesGcm {
  const options = { authTagLength: GCM_TAG_LENGTH };
  return {
    crypto: "node",
    seal(key, nonce, aad, plaintext, out, offset) {
      const cipher = crypto.createCipheriv("aes-256-gcm", key, nonce, options);
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      out.set(body, offset);
      const rest = cipher.final();
      out.set(rest, offset + body.length);
      out.set(cipher.getAuthTag(), offset + body.length + rest.length);
    },
    open(key, nonce, aad, sealed) {
      if (sealed.length < GCM_TAG_LENGTH) throw authenticationFailed();
      const split = sealed.length - GCM_TAG_LENGTH;
      try {
        const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce, options);
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.subarray(split));
        const body = decipher.update(sealed.subarray(0, split));
        const rest = decipher.final();
        // A view, not a copy: callers get a plain Uint8Array on every backend.
        if (rest.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.length);
        const out = new Uint8Array(body.length + rest.length);
        out.set(body, 0);
        out.set(rest, body.length);
        return out;
      } catch (error) {
        throw authenticationFailed(error);
      }
    },
  };
}

/** Loads `node:crypto` without a static import; undefined when the runtime has no such module. */
function loadNodeCrypto(): NodeCryptoSubset | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = processLike?.getBuiltinModule?.("node:crypto") as Partial<NodeCryptoSubset> | undefined;
    if (typeof mod?.createCipheriv === "function" && typeof mod.createDecipheriv === "function") {
      return mod as NodeCryptoSubset;
    }
  } catch {
    // Runtimes may throw for unknown builtins; noble is the answer then.
  }
  return undefined;
}

/** Native and noble must agree byte for byte before the native path is trusted. */
function passesSelfTest(candidate: AesGcm): boolean {
  try {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    const aad = Uint8Array.of(1, 2, 3);
    const plaintext = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
    const expected = new Uint8Array(plaintext.length + GCM_TAG_LENGTH);
    const actual = new Uint8Array(plaintext.length + GCM_TAG_LENGTH);
    nobleAesGcm.seal(key, nonce, aad, plaintext, expected, 0);
    candidate.seal(key, nonce, aad, plaintext, actual, 0);
    if (!expected.every((byte, i) => byte === actual[i])) return false;
    const opened = candidate.open(key, nonce, aad, actual);
    return opened.length === plaintext.length && opened.every((byte, i) => byte === plaintext[i]);
  } catch {
    return false;
  }
}

let detected: AesGcm | undefined;

/**
 * Returns the AES-GCM implementation for `preferred` (default: the fastest available).
 * Asking for `"node"` where native AES-GCM is unavailable throws `invalid_option`.
 */
export function aesGcm(preferred: CryptoImplementation = "auto"): AesGcm {
  if (preferred !== "auto" && preferred !== "node" && preferred !== "noble") {
    throw new JournalEncryptionError(
      "invalid_option",
      `crypto must be "auto", "node" or "noble", got ${JSON.stringify(String(preferred))}`,
    );
  }
  if (preferred === "noble") return nobleAesGcm;
  if (detected === undefined) {
    const nodeCrypto = loadNodeCrypto();
    const candidate = nodeCrypto ? nodeAesGcm(nodeCrypto) : undefined;
    detected = candidate && passesSelfTest(candidate) ? candidate : nobleAesGcm;
  }
  if (preferred === "node" && detected.crypto !== "node") {
    throw new JournalEncryptionError("invalid_option", 'crypto "node" requested but native AES-GCM is unavailable');
  }
  return detected;
}

/**
 * The AES-GCM implementation this runtime uses by default: `"node"` (native OpenSSL) or `"noble"`.
 *
 * @example
 * ```ts
 * import { detectCrypto } from "@restate-connect/journal-encryption";
 * console.log(detectCrypto()); // "node" on Node ≥ 20.16
 * ```
 */
export function detectCrypto(): CryptoBackend {
  return aesGcm().crypto;
}

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/** Fills `target` with cryptographically secure random bytes from a pooled `getRandomValues` buffer. */
export function fillRandom(target: Uint8Array): void {
  const length = target.length;
  if (length > POOL_SIZE) {
    for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(target.subarray(i, i + 65536));
    return;
  }
  if (poolOffset + length > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  target.set(pool.subarray(poolOffset, poolOffset + length));
  // Used random bytes are wiped from the pool so they exist only in the caller's copy.
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
}

/** `length` cryptographically secure random bytes (see `fillRandom`). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  fillRandom(out);
  return out;
}
