import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLIENT_ADMIN_API_VERSIONS, chooseAdminApiVersion, IncompatibleServerError } from "../src/index.js";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const info = (min: number, max: number) => ({ version: "x", min_admin_api_version: min, max_admin_api_version: max });

describe("chooseAdminApiVersion", () => {
  it("picks 4 from restate-server 1.7.12's range 2–4", () => {
    expect(CLIENT_ADMIN_API_VERSIONS).toEqual([3, 4]);
    expect(chooseAdminApiVersion(info(2, 4))).toBe(4);
    expect(chooseAdminApiVersion(info(1, 3))).toBe(3);
    expect(chooseAdminApiVersion(info(4, 9))).toBe(4);
  });

  it("throws IncompatibleServerError for disjoint ranges", () => {
    expect(() => chooseAdminApiVersion(info(1, 2))).toThrow(IncompatibleServerError);
    expect(() => chooseAdminApiVersion(info(5, 6))).toThrow(
      /supports admin API versions 5–6, this client supports 3–4/,
    );
  });

  it("returns the maximum of the intersection, or throws exactly when there is none", () => {
    fc.assert(
      fc.property(fc.nat(20), fc.nat(20), fc.nat(20), fc.nat(20), (a, b, c, d) => {
        const server: [number, number] = [Math.min(a, b), Math.max(a, b)];
        const client: [number, number] = [Math.min(c, d), Math.max(c, d)];
        const common = [];
        for (let v = 0; v <= 20; v++)
          if (v >= server[0] && v <= server[1] && v >= client[0] && v <= client[1]) common.push(v);
        if (common.length === 0)
          expect(() => chooseAdminApiVersion(info(...server), client)).toThrow(IncompatibleServerError);
        else expect(chooseAdminApiVersion(info(...server), client)).toBe(Math.max(...common));
      }),
      { numRuns: RUNS },
    );
  });
});
