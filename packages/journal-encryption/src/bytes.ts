import { JournalEncryptionError } from "./errors.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Decodes strict UTF-8; throws a TypeError on invalid sequences. */
export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** Standard base64 with padding. Runtime-agnostic (uses `btoa`). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Parses base64 or base64url (padding optional); returns undefined when the text is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  let normalised = text.trim();
  if (BASE64URL_PATTERN.test(normalised) && /[-_]/.test(normalised)) {
    normalised = normalised.replace(/-/g, "+").replace(/_/g, "/");
  }
  if (normalised.length % 4 !== 0 && !normalised.includes("=")) {
    normalised += "=".repeat((4 - (normalised.length % 4)) % 4);
  }
  if (!BASE64_PATTERN.test(normalised)) return undefined;
  const binary = atob(normalised);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Parses an even-length hex string (optional `0x`); returns undefined when it is not hex. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.trim().replace(/^0x/i, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Accepts a 32-byte key as raw bytes or base64 text and returns a private copy.
 * The error names the id and the length found, never the key.
 */
export function parseKey(id: string, key: Uint8Array | string): Uint8Array {
  const bytes = typeof key === "string" ? fromBase64(key) : new Uint8Array(key);
  if (bytes === undefined) {
    throw new JournalEncryptionError("invalid_key", `key "${id}": expected base64 text of 32 bytes`);
  }
  if (bytes.length !== 32) {
    throw new JournalEncryptionError("invalid_key", `key "${id}": expected 32 bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time comparison of two byte arrays (length may leak). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Quote and backslash, control characters (C0, DEL, C1), line/paragraph separators and bidirectional-text controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /["\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Quotes text that came from outside (a key id read from a stored value, an error name sent by a
 * KMS endpoint) for an error message: control and bidi characters escaped as `\u{…}`, at most `max`
 * characters. Whoever can write Restate's storage can put anything there; printed raw, it could
 * forge log lines or move an operator's terminal cursor.
 */
export function quoteUntrusted(text: string, max = 80): string {
  const chars = [...text];
  const shown = chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
  const escaped = shown.replace(UNPRINTABLE, (c) =>
    c === '"' || c === "\\" ? `\\${c}` : `\\u{${(c.codePointAt(0) as number).toString(16)}}`,
  );
  return `"${escaped}"`;
}
