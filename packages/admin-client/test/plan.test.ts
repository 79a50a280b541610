import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeploymentConfig } from "../src/lifecycle/config.js";
import { deploymentChanges, deploymentUpdate, serviceChanges } from "../src/lifecycle/plan.js";
import type { DeploymentResponse, ServiceMetadata } from "../src/types.js";

const headerMap = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  fc.string({ minLength: 1, maxLength: 20 }).map((s) => `V=${s}`),
  { maxKeys: 5 },
);

function registered(headers: Record<string, string>): DeploymentResponse {
  return {
    id: "dp_1",
    uri: "https://svc.example.com/",
    protocol_type: "BidiStream",
    http_version: "HTTP/2.0",
    created_at: "2026-01-01T00:00:00Z",
    min_protocol_version: 1,
    max_protocol_version: 5,
    services: [],
    additional_headers: headers,
  } as DeploymentResponse;
}

describe("deployment changes", () => {
  it("name every header that differs and never carry a header value", () => {
    fc.assert(
      fc.property(headerMap, headerMap, (have, want) => {
        const wanted: DeploymentConfig = { uri: "https://svc.example.com/", headers: want };
        const fields = deploymentChanges(registered(have), wanted);
        expect(JSON.stringify(fields)).not.toContain("V=");
        const differing = [...new Set([...Object.keys(have), ...Object.keys(want)])].filter((k) => have[k] !== want[k]);
        expect(fields.map((f) => f.field).sort()).toEqual(differing.map((k) => `headers.${k}`).sort());
        // The update body itself carries the real values: it goes only to the admin API.
        if (fields.length > 0) expect(deploymentUpdate(registered(have), wanted).additional_headers).toEqual(want);
      }),
    );
  });

  it("leaves fields the configuration omits alone", () => {
    expect(deploymentChanges(registered({ a: "V=1" }), { uri: "https://svc.example.com/" })).toEqual([]);
    expect(deploymentChanges(registered({}), { uri: "https://svc.example.com/", useHttp11: true })).toEqual([
      { field: "useHttp11", from: false, to: true },
    ]);
  });
});

describe("service changes", () => {
  it("compare durations by length, whatever the notation", () => {
    const live = { name: "S", idempotency_retention: "1day", public: true } as unknown as ServiceMetadata;
    expect(serviceChanges(live, { idempotencyRetention: "24h", public: true })).toEqual([]);
    expect(serviceChanges(live, { idempotencyRetention: "P1D" })).toEqual([]);
    expect(serviceChanges(live, { idempotencyRetention: "2d", public: false })).toEqual([
      { field: "public", from: true, to: false },
      { field: "idempotencyRetention", from: "1day", to: "2d" },
    ]);
  });
});
