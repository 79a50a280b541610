// Strict, allocation-light base64url without padding (RFC 7515 §2): only [A-Za-z0-9_-], no `=`,
// no whitespace, and the unused low bits of the last character must be zero, so every byte string
// has exactly one accepted encoding (the same rule Rust's `base64` crate applies for Restate).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? (DECODE[code] as number) : -1;
  if (value < 0) throw new RangeError(`invalid base64url character at position ${index}`);
  return value;
}

/** Decodes strict unpadded base64url; throws `RangeError` naming the first problem. */
export function decodeBase64Url(text: string): Uint8Array {
  const remainder = text.length % 4;
  if (remainder === 1) throw new RangeError(`invalid base64url length ${text.length}`);
  const out = new Uint8Array(((text.length * 3) / 4) | 0);
  let o = 0;
  let i = 0;
  const whole = text.length - remainder;
  for (; i < whole; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) | sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (remainder === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if (b & 0x0f) throw new RangeError("non-canonical base64url: trailing bits are not zero");
    out[o++] = (a << 2) | (b >> 4);
  } else if (remainder === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if (c & 0x03) throw new RangeError("non-canonical base64url: trailing bits are not zero");
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return out;
}

/** Encodes bytes as unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  if (i < bytes.length) {
    const a = bytes[i] as number;
    const b = i + 1 < bytes.length ? (bytes[i + 1] as number) : 0;
    out += ALPHABET.charAt(a >> 2) + ALPHABET.charAt(((a & 3) << 4) | (b >> 4));
    if (i + 1 < bytes.length) out += ALPHABET.charAt((b & 15) << 2);
  }
  return out;
}

/**
 * UTF-8 text of a JSON segment; invalid UTF-8 is an error, never replaced silently, and a byte-order
 * mark is kept (TextDecoder drops it by default), so JSON parsing refuses it like Restate's verifier.
 */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
export function decodeUtf8(bytes: Uint8Array): string {
  // Restate's JWT segments are ASCII; building short ASCII strings directly beats TextDecoder.
  let ascii = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return utf8.decode(bytes);
    ascii += String.fromCharCode(byte);
  }
  return ascii;
}

const encoder = new TextEncoder();
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes of a string known to be ASCII (e.g. base64url text). */
export function encodeAscii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
