import { describe, expect, it } from "vitest";
import { findPlaintext, hexToBytes, preview, sqlString } from "../demo/stored-data.ts";

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "utf8"));

describe("hexToBytes", () => {
  it("decodes the admin SQL endpoint's hex and refuses anything else", () => {
    expect([...hexToBytes("00ff10")]).toEqual([0, 255, 16]);
    expect(hexToBytes("")).toHaveLength(0);
    for (const bad of ["0", "zz", "0x00", "00 ff"]) expect(() => hexToBytes(bad)).toThrow(/hex/);
  });
});

describe("findPlaintext", () => {
  const values = [
    { table: "state", label: "customer/ada · state", bytes: bytes('{"cardNumber":"4242424242424242"}') },
    { table: "sys_journal", label: "journal #3", bytes: Uint8Array.from([0, 1, ...bytes("Ada Lovelace"), 2]) },
    { table: "sys_promise", label: "promise", bytes: Uint8Array.from([0x52, 0x4a, 0x45, 1, 2, 3]) },
  ];

  it("finds every marker in every value, also in the middle of binary data", () => {
    expect(findPlaintext(values, ["4242424242424242", "Ada Lovelace", "absent"])).toEqual([
      { marker: "4242424242424242", label: "customer/ada · state" },
      { marker: "Ada Lovelace", label: "journal #3" },
    ]);
  });

  it("reports nothing for ciphertext-like values", () => {
    expect(findPlaintext(values.slice(2), ["4242424242424242", "Ada Lovelace"])).toEqual([]);
  });
});

describe("preview", () => {
  it("shows short values whole", () => {
    expect(preview(Uint8Array.from([1, 2, 3]))).toEqual({ hex: "010203", base64: "AQID", size: 3 });
  });

  it("shows the head and tail of long values", () => {
    const value = Uint8Array.from({ length: 100 }, (_, index) => index);
    expect(preview(value, 2)).toEqual({ hex: "0001…6263", base64: "…YmM=", size: 100 });
  });
});

describe("sqlString", () => {
  it("quotes and escapes single quotes", () => {
    expect(sqlString("ada")).toBe("'ada'");
    expect(sqlString("o'brien")).toBe("'o''brien'");
  });
});
