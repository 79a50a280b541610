import { base58, base64 } from "@scure/base";
import { noble } from "./crypto.js";
import { PKCS8_V1_PREFIX, SPKI_PREFIX, startsWith, withPrefix } from "./der.js";
import { IdentityError, type KeyProblem } from "./errors.js";

/** Prefix of Restate's v1 request identity public keys (and of the JWT `kid`). */
export const PUBLIC_KEY_PREFIX = "publickeyv1_";

function keyError(problem: KeyProblem, message: string, index?: number): IdentityError {
  const where = index === undefined ? "" : `key #${index}: `;
  return new IdentityError("invalid_public_key", `${where}${message}`, problem, index);
}

/**
 * Decodes a `publickeyv1_…` string to the raw 32-byte Ed25519 public key.
 * Throws {@link IdentityError} (`invalid_public_key`) naming the problem: `prefix`, `base58` or `length`.
 * Also refuses weak keys (see {@link pointProblem}). Internal: the public API takes key strings.
 */
export function parsePublicKey(key: string, index?: number): Uint8Array {
  if (typeof key !== "string") throw keyError("type", `expected a string, got ${typeof key}`, index);
  if (!key.startsWith(PUBLIC_KEY_PREFIX))
    throw keyError("prefix", `a public key must start with "${PUBLIC_KEY_PREFIX}"`, index);
  let raw: Uint8Array;
  try {
    raw = base58.decode(key.slice(PUBLIC_KEY_PREFIX.length));
  } catch {
    throw keyError("base58", "the part after the prefix is not valid base58", index);
  }
  if (raw.length !== 32) throw keyError("length", `expected 32 bytes after base58 decoding, got ${raw.length}`, index);
  const weakness = pointProblem(raw);
  if (weakness) throw keyError(weakness.problem, weakness.message, index);
  return raw;
}

/**
 * Why 32 bytes are not a safe Ed25519 public key, or `undefined` when they are: the canonical
 * encoding (y < p, no sign bit on x = 0) of a point in the prime-order subgroup other than the
 * identity. Keys made from a private key always are; anything else (the identity, the other seven
 * small-order points, mixed-order points, non-canonical encodings) can only come from an attacker
 * or a bug, and with such keys implementations disagree about which signatures verify (with the
 * identity as key, OpenSSL accepts R = identity, S = 0 on any message).
 */
export function pointProblem(raw: Uint8Array): { problem: "point" | "weak"; message: string } | undefined {
  const { Point } = noble();
  let point: InstanceType<typeof Point>;
  try {
    point = Point.fromBytes(raw, false);
  } catch {
    return { problem: "point", message: "the key is not the canonical encoding of an Ed25519 curve point" };
  }
  const canonical = point.toBytes();
  if (!canonical.every((byte, i) => byte === raw[i]))
    return { problem: "point", message: "the key is not the canonical encoding of an Ed25519 curve point" };
  if (point.isSmallOrder())
    return { problem: "weak", message: "the key is a small-order point (such as the identity), not a real public key" };
  if (!point.isTorsionFree())
    return { problem: "weak", message: "the key has a small-order component, not a real public key" };
  return undefined;
}

/**
 * Formats a raw 32-byte Ed25519 public key as `publickeyv1_` + base58, the form Restate prints and
 * uses as JWT `kid`; the inverse of {@link parsePublicKey}.
 */
export function formatPublicKey(raw: Uint8Array): string {
  if (!(raw instanceof Uint8Array) || raw.length !== 32)
    throw keyError("length", `expected 32 raw key bytes, got ${raw instanceof Uint8Array ? raw.length : typeof raw}`);
  return PUBLIC_KEY_PREFIX + base58.encode(raw);
}

interface Pem {
  label: string;
  der: Uint8Array;
}

function parsePem(pem: string, code: "invalid_private_key" | "invalid_public_key"): Pem {
  if (typeof pem !== "string") throw new IdentityError(code, `expected PEM text, got ${typeof pem}`, "type");
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length !== 1)
    throw new IdentityError(code, `expected exactly one PEM block, found ${blocks.length}`, "pem");
  const [, label = "", body = ""] = blocks[0] as RegExpMatchArray;
  try {
    return { label, der: base64.decode(body.replace(/\s+/g, "")) };
  } catch {
    throw new IdentityError(code, `the ${label} PEM block is not valid base64`, "pem");
  }
}

/** An Ed25519 private key read from PKCS#8 PEM. */
export interface PrivateKeyMaterial {
  /** The PKCS#8 v1 DER (normalised: an embedded public key is dropped after it was checked). */
  pkcs8: Uint8Array;
  seed: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * Reads an Ed25519 PKCS#8 private key PEM (`BEGIN PRIVATE KEY`, RFC 8410 v1 or v2 with the public key),
 * as written by `openssl genpkey -algorithm ed25519` and read by restate-server.
 */
export function parsePrivateKeyPem(pem: string): PrivateKeyMaterial {
  const { label, der } = parsePem(pem, "invalid_private_key");
  if (label !== "PRIVATE KEY")
    throw new IdentityError("invalid_private_key", `expected a "PRIVATE KEY" (PKCS#8) PEM, got "${label}"`, "pem");
  const v2Prefix = Uint8Array.of(0x30, 0x00, 0x02, 0x01, 0x01, ...PKCS8_V1_PREFIX.slice(5));
  let seed: Uint8Array;
  let embedded: Uint8Array | undefined;
  if (der.length === 48 && startsWith(der, PKCS8_V1_PREFIX)) {
    seed = der.slice(16);
  } else if (der.length > 48 && der[0] === 0x30 && startsWith(der, v2Prefix.slice(2), 2) && der[1] === der.length - 2) {
    seed = der.slice(16, 48);
    // [1] publicKey: implicit (81 21 00 …) or explicit (a1 23 03 21 00 …) tagging, both seen in the wild.
    if (der.length === 83 && startsWith(der, Uint8Array.of(0x81, 0x21, 0x00), 48)) embedded = der.slice(51);
    else if (der.length === 85 && startsWith(der, Uint8Array.of(0xa1, 0x23, 0x03, 0x21, 0x00), 48))
      embedded = der.slice(53);
    else throw new IdentityError("invalid_private_key", "unsupported PKCS#8 v2 layout", "der");
  } else {
    throw new IdentityError("invalid_private_key", "the PEM does not hold an Ed25519 PKCS#8 private key", "der");
  }
  const publicKey = noble().getPublicKey(seed);
  if (embedded && !embedded.every((byte, i) => byte === publicKey[i]))
    throw new IdentityError(
      "invalid_private_key",
      "the embedded public key does not belong to the private key",
      "mismatch",
    );
  return { pkcs8: withPrefix(PKCS8_V1_PREFIX, seed), seed, publicKey };
}

/**
 * The `publickeyv1_…` for a PEM: a PKCS#8 private key (what restate-server is configured with) or an
 * SPKI public key (`BEGIN PUBLIC KEY`).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { publicKeyFromPem } from "@restate-connect/identity";
 *
 * const publicKey = publicKeyFromPem(readFileSync("private.pem", "utf8")); // "publickeyv1_…"
 * ```
 */
export function publicKeyFromPem(pem: string): string {
  const { label, der } = parsePem(pem, "invalid_public_key");
  if (label === "PRIVATE KEY") return formatPublicKey(parsePrivateKeyPem(pem).publicKey);
  if (label !== "PUBLIC KEY")
    throw new IdentityError("invalid_public_key", `expected a PRIVATE KEY or PUBLIC KEY PEM, got "${label}"`, "pem");
  if (der.length !== 44 || !startsWith(der, SPKI_PREFIX))
    throw new IdentityError("invalid_public_key", "the PEM does not hold an Ed25519 SPKI public key", "der");
  const raw = der.slice(12);
  const weakness = pointProblem(raw);
  if (weakness) throw new IdentityError("invalid_public_key", weakness.message, weakness.problem);
  return formatPublicKey(raw);
}

function pemEncode(label: string, der: Uint8Array): string {
  const lines = base64.encode(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A fresh signing key: the PEM for restate-server and the public key for services. */
export interface GeneratedKeyPair {
  /** PKCS#8 PEM; give it to restate-server (`request-identity-private-key-pem-file`). Secret. */
  privateKeyPem: string;
  /** `publickeyv1_…`; give it to your services. */
  publicKey: string;
}

/**
 * Generates an Ed25519 key pair with the runtime's secure random source.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { generateKeyPair } from "@restate-connect/identity";
 *
 * const { privateKeyPem, publicKey } = generateKeyPair();
 * writeFileSync("restate-identity.pem", privateKeyPem, { mode: 0o600, flag: "wx" });
 * console.log(publicKey);
 * ```
 */
export function generateKeyPair(): GeneratedKeyPair {
  const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const publicKey = formatPublicKey(noble().getPublicKey(seed));
  return { privateKeyPem: pemEncode("PRIVATE KEY", withPrefix(PKCS8_V1_PREFIX, seed)), publicKey };
}
