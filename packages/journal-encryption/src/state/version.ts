import { utf8Encode } from "../bytes.js";

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function base64UrlNoPad(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The version Restate compares a versioned modify-state against: what the `restate` CLI computes
 * before `state edit`/`patch`. SHA-256 over the entries sorted by key bytes, each entry as
 * `u64 big-endian index ‖ 0x01 ‖ key ‖ 0x02 ‖ value ‖ 0x03`, in URL-safe base64 without padding.
 *
 * @example
 * ```ts
 * const version = await stateVersion(new Map([["count", utf8("42")]]));
 * await admin.services.modifyState("Counter", { objectKey: "ada", newState, version });
 * ```
 */
export async function stateVersion(state: ReadonlyMap<string, Uint8Array>): Promise<string> {
  const entries = [...state].map(([key, value]) => [utf8Encode(key), value] as const);
  entries.sort((a, b) => compareBytes(a[0], b[0]));
  let length = 0;
  for (const [key, value] of entries) length += 8 + 1 + key.length + 1 + value.length + 1;
  const input = new Uint8Array(length);
  const view = new DataView(input.buffer);
  let offset = 0;
  entries.forEach(([key, value], index) => {
    view.setBigUint64(offset, BigInt(index));
    offset += 8;
    input[offset++] = 0x01;
    input.set(key, offset);
    offset += key.length;
    input[offset++] = 0x02;
    input.set(value, offset);
    offset += value.length;
    input[offset++] = 0x03;
  });
  const digest = await globalThis.crypto.subtle.digest("SHA-256", input);
  return base64UrlNoPad(new Uint8Array(digest));
}

/** 0x03 and five zero bytes: the end of an entry and the start of the next one's index. */
function embedsEntryBoundary(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(3); i !== -1 && i + 5 < bytes.length; i = bytes.indexOf(3, i + 1)) {
    if (bytes[i + 1] === 0 && bytes[i + 2] === 0 && bytes[i + 3] === 0 && bytes[i + 4] === 0 && bytes[i + 5] === 0) {
      return true;
    }
  }
  return false;
}

/**
 * Whether another state could share this state's version because one of its keys or values
 * embeds the encoding of further entries (the encoding has no lengths). Such a state is never
 * rewritten: a change computed from it could apply over a different state. Values the codec seals
 * (random bytes) practically never contain the pattern; a hostile writer's plaintext can.
 */
export function versionIsAmbiguous(state: ReadonlyMap<string, Uint8Array>): boolean {
  for (const [key, value] of state) if (embedsEntryBoundary(utf8Encode(key)) || embedsEntryBoundary(value)) return true;
  return false;
}
