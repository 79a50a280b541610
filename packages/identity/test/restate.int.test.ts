import { RegistrationError, register, serveEndpoint, startRestate } from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withIdentity } from "../src/adapters/node.js";
import { generateKeyPair, type Rejected } from "../src/index.js";

const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `hello ${name}` },
});

describe("against restate-server with a signing key", () => {
  const serverKey = generateKeyPair();
  let rs: Awaited<ReturnType<typeof startRestate>>;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    rs = await startRestate({ signingKeyPem: serverKey.privateKeyPem });
    stops.push(() => rs.stop());
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("registration and an invocation through ingress pass our node adapter with the matching key", async () => {
    const rejections: Rejected[] = [];
    const accepted: string[] = [];
    const ep = await serveEndpoint([greeter], {
      wrap: (sdk) =>
        withIdentity(
          (req, res) => {
            accepted.push(req.url ?? "");
            sdk(req, res);
          },
          { keys: [serverKey.publicKey], onReject: (r) => rejections.push(r) },
        ),
    });
    stops.push(() => ep.stop());
    await register(rs.adminUrl, ep.url);
    const response = await fetch(`${rs.ingressUrl}/Greeter/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("Restate"),
    });
    expect([response.status, await response.json()]).toEqual([200, "hello Restate"]);
    expect(rejections).toEqual([]);
    expect(accepted).toContain("/discover");
    expect(accepted).toContain("/invoke/Greeter/greet");
  });

  it("a service configured with another key rejects discovery with 401: registration fails, onReject saw bad_signature", async () => {
    const rejections: Rejected[] = [];
    const ep = await serveEndpoint([greeter], {
      wrap: (sdk) => withIdentity(sdk, { keys: [generateKeyPair().publicKey], onReject: (r) => rejections.push(r) }),
    });
    stops.push(() => ep.stop());
    const error = await register(rs.adminUrl, ep.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistrationError);
    // restate-server reports the service's answer inside its own error (HTTP 500, META0003).
    expect((error as RegistrationError).body).toMatch(/401 Unauthorized/);
    expect((error as RegistrationError).body).toContain('{\\"code\\":\\"bad_signature\\"}');
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.every((r) => r.code === "bad_signature")).toBe(true);
  });
});
