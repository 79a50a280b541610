import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAdminClient, InvalidOptionError } from "../src/index.js";

/** A fetch that records the URL of every request and answers as the admin API would. */
function recording() {
  const urls: URL[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input));
    urls.push(url);
    return url.pathname.endsWith("/services") || url.pathname.includes("/services/")
      ? Response.json({ name: "S", handlers: [] })
      : new Response(null, { status: 202 });
  };
  return { urls, fetch };
}

const segmentText = fc.oneof(
  fc.constantFrom("", ".", "..", " ", "\t", "%2e%2e", "%2E", "a/..", "../x", "./", "?x=1", "#f", "\uD800", "x\uDC00y"),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(".", "/", "%", "2", "e", "?", "#", "\\", " "), maxLength: 6 }),
);

describe("caller-supplied path segments", () => {
  it("refuses empty, blank, `.` and `..` ids with invalid_option before any request", async () => {
    const { urls, fetch } = recording();
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, adminApiVersion: 4 });
    for (const id of ["", " ", ".", ".."]) {
      for (const call of [
        () => admin.invocations.kill(id),
        () => admin.deployments.get(id),
        () => admin.services.handler("S", id),
        () => admin.subscriptions.remove(id),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error, JSON.stringify(id)).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).code).toBe("invalid_option");
      }
    }
    expect(urls).toEqual([]);
  });

  it("any string either is refused with invalid_option or arrives as exactly that one segment", async () => {
    await fc.assert(
      fc.asyncProperty(segmentText, segmentText, async (service, handler) => {
        const { urls, fetch } = recording();
        const admin = createAdminClient({ baseUrl: "http://a.test/prefix", fetch, adminApiVersion: 4 });
        let refused = false;
        try {
          await admin.services.handler(service, handler);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidOptionError);
          refused = true;
        }
        if (refused) {
          expect(urls).toEqual([]);
          return;
        }
        expect(urls).toHaveLength(1);
        const url = urls[0] as URL;
        expect(url.origin).toBe("http://a.test");
        expect(url.search).toBe("");
        const parts = url.pathname.split("/");
        expect(parts.slice(0, 4)).toEqual(["", "prefix", "v4", "services"]);
        expect(parts[5]).toBe("handlers");
        expect(parts).toHaveLength(7);
        expect(decodeURIComponent(parts[4] as string)).toBe(service);
        expect(decodeURIComponent(parts[6] as string)).toBe(handler);
      }),
      { numRuns: 500 },
    );
  });
});
