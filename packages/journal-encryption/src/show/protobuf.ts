/**
 * Just enough of the protobuf wire format to walk a stored journal entry (`sys_journal.raw`):
 * fields with their numbers, varints and length-delimited payloads. No schema, no allocation of
 * payloads (they are views into the input), and no exceptions: malformed input yields undefined.
 */

/** One field of a message as it is on the wire. */
export type WireField =
  | { readonly field: number; readonly wire: "varint"; readonly value: bigint }
  | { readonly field: number; readonly wire: "bytes"; readonly value: Uint8Array }
  | { readonly field: number; readonly wire: "fixed64" | "fixed32"; readonly value: Uint8Array };

const MAX_VARINT_BYTES = 10;

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = bytes[start + i];
    if (byte === undefined) return undefined;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return { value, next: start + i + 1 };
  }
  return undefined;
}

/**
 * Splits `bytes` into its top-level fields, or returns undefined when they are not one complete,
 * well-formed protobuf message (unknown wire types, field number 0, truncation, trailing bytes).
 * An empty input is the empty message.
 */
export function readMessage(bytes: Uint8Array): WireField[] | undefined {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    if (tag === undefined || tag.value > 0xffffffffn) return undefined;
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (field === 0) return undefined;
    offset = tag.next;
    if (wireType === 0) {
      const varint = readVarint(bytes, offset);
      if (varint === undefined) return undefined;
      fields.push({ field, wire: "varint", value: varint.value });
      offset = varint.next;
    } else if (wireType === 2) {
      const length = readVarint(bytes, offset);
      if (length === undefined || length.value > BigInt(bytes.length - length.next)) return undefined;
      const end = length.next + Number(length.value);
      fields.push({ field, wire: "bytes", value: bytes.subarray(length.next, end) });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (offset + size > bytes.length) return undefined;
      fields.push({
        field,
        wire: wireType === 1 ? "fixed64" : "fixed32",
        value: bytes.subarray(offset, offset + size),
      });
      offset += size;
    } else {
      return undefined; // groups (3, 4) are not used by the service protocol; 6 and 7 do not exist
    }
  }
  return fields;
}
