import * as restate from "@restatedev/restate-sdk";
import { createEndpointHandler } from "@restatedev/restate-sdk/fetch";
import { describe, expect, it } from "vitest";
import type { AdapterRejection } from "../src/adapters/core.js";
import { withIdentity } from "../src/adapters/fetch.js";
import { createSigner, generateKeyPair } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `hi ${name}` },
});

describe("fetch adapter with Node's Request/Response", () => {
  it("guards the SDK's fetch endpoint: signed discovery passes, others get 401", async () => {
    const rejections: AdapterRejection[] = [];
    const handler = withIdentity(createEndpointHandler({ services: [greeter] }), {
      keys: [SERVER_TEST_KID],
      onReject: (r) => rejections.push(r),
    });
    const discover = await handler(
      new Request("http://service.test/api/discover", {
        headers: { ...(await signer.sign("/discover")), accept: "application/vnd.restate.endpointmanifest.v3+json" },
      }),
    );
    expect(discover.status).toBe(200);
    const manifest = (await discover.json()) as { services: { name: string }[] };
    expect(manifest.services.map((s) => s.name)).toEqual(["Greeter"]);

    const forged = await handler(
      new Request("http://service.test/discover", {
        headers: await createSigner({ privateKeyPem: generateKeyPair().privateKeyPem }).sign("/discover"),
      }),
    );
    expect([forged.status, await forged.json()]).toEqual([401, { code: "bad_signature" }]);
    expect(rejections).toHaveLength(1);
  });

  it("passes extra handler arguments through (e.g. Cloudflare env and ctx)", async () => {
    const handler = withIdentity(
      async (request: Request, env: { name: string }) => new Response(`${env.name} ${new URL(request.url).search}`),
      { keys: [SERVER_TEST_KID] },
    );
    const response = await handler(
      new Request("http://x.test/invoke/S/h?a=b", { headers: await signer.sign("/invoke/S/h") }),
      { name: "env" },
    );
    expect(await response.text()).toBe("env ?a=b");
  });
});
