import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withoutSecretHeaders } from "../src/cli/commands/deployments.js";
import { type AdminApiError, createAdminClient } from "../src/index.js";
import { isSecretHeader, redactHeaderValues, redactUrlSecrets } from "../src/redact.js";

// Secrets are drawn from upper-case letters and digits, everything else from lower-case letters and
// spaces: any character of a secret that survives in the server's text is visible as [A-Z0-9].
const secret = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
  minLength: 8,
  maxLength: 40,
});
const filler = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz "), minLength: min, maxLength: max });

describe("error text from the server", () => {
  it("never keeps any prefix of the token or of a secret header, wherever the cut falls", async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        secret,
        filler(240, 320),
        filler(0, 80),
        fc.boolean(),
        fc.constantFrom(401, 403, 502),
        async (token, apiKey, before, after, json, status) => {
          fc.pre(!token.includes(apiKey) && !apiKey.includes(token));
          const echoed = `${before}${token}${after} x-api-key ${apiKey} ${after}`;
          const fetch: typeof globalThis.fetch = async () =>
            new Response(json ? JSON.stringify({ message: echoed }) : echoed, { status });
          const admin = createAdminClient({
            baseUrl: "http://a.test",
            fetch,
            token,
            headers: { "x-api-key": apiKey },
            retry: false,
            adminApiVersion: 4,
          });
          const error = (await admin.services.list().catch((e: unknown) => e)) as AdminApiError;
          expect(error.code).toBe("api_error");
          expect(error.serverMessage).not.toMatch(/[A-Z0-9]/);
          expect(error.message).not.toContain(token.slice(0, 8));
          expect(error.message).not.toContain(apiKey.slice(0, 8));
          if (!json) expect(error.serverMessage.length).toBeLessThanOrEqual(301);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("an echo in another form", () => {
  it("JSON-escaped or percent-encoded (either case), the token is still removed", async () => {
    const token = fc.string({ unit: fc.constantFrom(...'AB"\\+/=%&?é~ '), minLength: 8, maxLength: 24 });
    const forms: Record<string, (secret: string) => string> = {
      json: (secret) => JSON.stringify({ error: `bad token ${secret}` }),
      percent: (secret) => `denied: /login?next=${encodeURIComponent(secret)}`,
      lower: (secret) =>
        `denied: /login?next=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`,
    };
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom(...Object.keys(forms)), async (secret, form) => {
        const echoed = (forms[form] as (s: string) => string)(secret);
        const fetch: typeof globalThis.fetch = async () => new Response(echoed, { status: 401 });
        const admin = createAdminClient({
          baseUrl: "http://a.test",
          fetch,
          token: secret,
          retry: false,
          adminApiVersion: 4,
        });
        const error = (await admin.services.list().catch((e: unknown) => e)) as AdminApiError;
        const shown = echoed.slice(
          echoed.indexOf(form === "json" ? "bad token " : "next=") + 10,
          form === "json" ? -2 : undefined,
        );
        expect(error.message).not.toContain(shown);
        expect(error.message).toContain("[redacted]");
      }),
      { numRuns: 300 },
    );
  });
});

describe("Restate's request-identity token echoed during discovery", () => {
  it("is removed from the error, which still classifies", async () => {
    const jwt = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIvaW52b2tlIiwiZXhwIjoxfQ.c2lnbmF0dXJlLWJ5dGVz_-x";
    const message = `bad status: got status code '401 Unauthorized'. Response headers: {}. Body: missing identity; you sent x-restate-jwt-v1: ${jwt}`;
    const fetch: typeof globalThis.fetch = async () =>
      Response.json({ message, restate_code: "META0003" }, { status: 500 });
    const admin = createAdminClient({ baseUrl: "http://a.test", fetch, retry: false, adminApiVersion: 4 });
    const error = (await admin.deployments.register({ uri: "http://s.test" }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "discovery_failed", failure: "unauthorized" });
    expect(error.message).not.toContain(jwt.split(".")[1]);
  });
});

describe("secrets in a deployment's address", () => {
  it("credentials and secret-looking query parameters are redacted for output, the rest kept", () => {
    expect(redactUrlSecrets("https://user:pw@svc.test:8443/a?x-vercel-protection-bypass=s3&region=eu#f")).toBe(
      "https://[redacted]@svc.test:8443/a?x-vercel-protection-bypass=[redacted]&region=eu#f",
    );
    expect(redactUrlSecrets("http://svc.test/?api%5Fkey=s3&token")).toBe("http://svc.test/?api%5Fkey=[redacted]&token");
    expect(redactUrlSecrets("http://svc.test:9080/")).toBe("http://svc.test:9080/");
    expect(redactUrlSecrets("https://fn.azurewebsites.net/api/restate?code=k3y&x=1")).toBe(
      "https://fn.azurewebsites.net/api/restate?code=[redacted]&x=1",
    );
    expect(redactUrlSecrets("https://a.blob.core.windows.net/c?sv=2022&sig=s1g")).toBe(
      "https://a.blob.core.windows.net/c?sv=2022&sig=[redacted]",
    );
    expect(redactUrlSecrets("arn:aws:lambda:eu-west-1:123456789012:function:f")).toBe(
      "arn:aws:lambda:eu-west-1:123456789012:function:f",
    );
    const shown = withoutSecretHeaders({ uri: "https://k:v@svc.test/", additional_headers: { "x-api-key": "v2" } });
    expect(JSON.stringify(shown)).not.toMatch(/k:v|v2/);
  });
});

describe("secret-looking headers", () => {
  it("are recognised by name and redacted in header maps", () => {
    for (const name of [
      "authorization",
      "Proxy-Authorization",
      "cookie",
      "x-api-key",
      "X-Auth-Token",
      "x-vercel-protection-bypass",
      "x-client-secret",
      "x-amz-security-token",
      "x-password",
      "x-goog-iap-jwt-assertion",
      "x-bearer",
      "x-db-pwd",
      "private-data",
      "x-xsrf",
    ]) {
      expect(isSecretHeader(name), name).toBe(true);
    }
    for (const name of ["user-agent", "x-request-id", "accept", "x-tenant"])
      expect(isSecretHeader(name), name).toBe(false);
    expect(redactHeaderValues({ "x-api-key": "k1", "x-tenant": "t" })).toEqual({
      "x-api-key": "[redacted]",
      "x-tenant": "t",
    });
  });
});
