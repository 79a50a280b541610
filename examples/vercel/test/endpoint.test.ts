import { randomBytes } from "node:crypto";
import { ConfigError } from "@restate-connect/example-service-settings";
import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET, POST } from "../src/app/restate/[[...services]]/route.js";
import { createRestateHandler } from "../src/restate/endpoint.js";

const trusted = generateKeyPair();
const env = { RESTATE_IDENTITY_KEYS: trusted.publicKey, JOURNAL_KEYS: `k=${randomBytes(32).toString("base64")}` };
const MANIFEST = "application/vnd.restate.endpointmanifest.v3+json";

describe("createRestateHandler", () => {
  it("lets a request signed by the configured environment through to the SDK", async () => {
    const handler = createRestateHandler(env);
    const headers = await createSigner({ privateKeyPem: trusted.privateKeyPem }).sign("/discover");
    const response = await handler(
      new Request("https://app.example.com/restate/discover", { headers: { ...headers, accept: MANIFEST } }),
    );
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as { services: { name: string }[] };
    expect(manifest.services.map((service) => service.name)).toEqual(["Greeter"]);
  });

  it("answers unsigned and foreign-signed requests with 401 before the SDK sees them", async () => {
    const handler = createRestateHandler(env);
    const unsigned = await handler(new Request("https://app.example.com/restate/discover"));
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ code: "missing_scheme" });

    const foreign = await createSigner({ privateKeyPem: generateKeyPair().privateKeyPem }).sign("/discover");
    const forged = await handler(new Request("https://app.example.com/restate/discover", { headers: foreign }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ code: "bad_signature" });
  });

  it("refuses a token minted for another path", async () => {
    const handler = createRestateHandler(env);
    const headers = await createSigner({ privateKeyPem: trusted.privateKeyPem }).sign("/invoke/Greeter/greet");
    const response = await handler(new Request("https://app.example.com/restate/discover", { headers }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: "audience_mismatch" });
  });

  it("throws a ConfigError for an incomplete environment", () => {
    expect(() => createRestateHandler({ JOURNAL_KEYS: env.JOURNAL_KEYS })).toThrow(ConfigError);
  });
});

describe("the route handler", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("fails closed with 500 and only a code while the environment is incomplete", async () => {
    vi.stubEnv("RESTATE_IDENTITY_KEYS", "");
    vi.stubEnv("RESTATE_ALLOW_UNSIGNED", "");
    vi.stubEnv("JOURNAL_KEYS", env.JOURNAL_KEYS);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    for (const method of [GET, POST]) {
      const response = await method(new Request("https://app.example.com/restate/discover", { method: "POST" }));
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: "missing_identity_keys" });
    }
    expect(error).toHaveBeenCalledWith(expect.stringContaining("RESTATE_IDENTITY_KEYS"));
    expect(JSON.stringify(error.mock.calls)).not.toContain(env.JOURNAL_KEYS.slice(2));
    error.mockRestore();
  });

  it("serves once the environment is complete", async () => {
    vi.stubEnv("RESTATE_IDENTITY_KEYS", env.RESTATE_IDENTITY_KEYS);
    vi.stubEnv("JOURNAL_KEYS", env.JOURNAL_KEYS);
    const response = await GET(new Request("https://app.example.com/restate/discover"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: "missing_scheme" });
  });
});
