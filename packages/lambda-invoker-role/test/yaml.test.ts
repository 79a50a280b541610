import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toYaml } from "../src/yaml.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);

describe("toYaml", () => {
  it("quotes what YAML 1.1 would read as something else", () => {
    const tricky = [
      "yes",
      "No",
      "on",
      "OFF",
      "true",
      "null",
      "~",
      "2012-10-17",
      "0123",
      "1e3",
      "-",
      "a: b",
      "#x",
      "",
      " x",
      "x ",
    ];
    for (const value of tricky) {
      const text = toYaml({ value });
      expect(parse(text, { version: "1.1" })).toEqual({ value });
      expect(parse(text)).toEqual({ value });
    }
    expect(toYaml({ Version: "2012-10-17" })).toBe('Version: "2012-10-17"\n');
  });

  it("emits nested lists and maps, and empty ones inline", () => {
    expect(toYaml({ a: [{ b: 1, c: [] }, [1, 2]], d: {} })).toBe("a:\n  - b: 1\n    c: []\n  - - 1\n    - 2\nd: {}\n");
  });

  it("reads back identically for any JSON value (YAML 1.2 and 1.1)", () => {
    const key = fc.string({ unit: "binary", maxLength: 12 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 5 }), (value) => {
        const text = toYaml(value as never);
        expect(parse(text, { uniqueKeys: false })).toEqual(value);
        expect(parse(text, { version: "1.1", uniqueKeys: false })).toEqual(value);
      }),
      { numRuns: RUNS },
    );
  });

  it("escapes what YAML parsers refuse or read as line breaks, and refuses lone surrogates", () => {
    const awkward = [
      "\u0085",
      "\u2028",
      "\u2029",
      "\u007f",
      "\u009b[31m",
      "\ufeff",
      "\ufffe",
      "\uffff",
      "\u0000",
      "a\tb\r\n",
    ];
    for (const value of awkward) {
      const text = toYaml({ value });
      expect(text).toMatch(/^[\x20-\x7e\n]*$/);
      expect(parse(text)).toEqual({ value });
      expect(parse(text, { version: "1.1" })).toEqual({ value });
    }
    for (const value of ["\ud800", "a\udc00b"]) {
      expect(() => toYaml({ value })).toThrow(expect.objectContaining({ code: "unrenderable_value" }));
    }
  });
});
