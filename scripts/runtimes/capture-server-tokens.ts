// Regenerates fixtures/server-tokens.json: the request-identity tokens restate-server 1.7.12 really
// sends (discovery and one invocation), with the public key that verifies them. The runtime matrix
// verifies these exact bytes in every runtime. Run: node scripts/runtimes/capture-server-tokens.ts
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { publicKeyFromPem } from "@restate-connect/identity";
import { register, serveEndpoint, startRestate } from "@restate-connect/testkit";
import * as restate from "@restatedev/restate-sdk";

const { privateKey } = generateKeyPairSync("ed25519");
const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `Hello, ${name}!` },
});
const seen: Array<{ path: string; scheme: unknown; token: unknown }> = [];
const server = await startRestate({ signingKeyPem: pem });
const endpoint = await serveEndpoint([greeter], {
  wrap: (handler) => (request, response) => {
    const { url = "", headers } = request;
    seen.push({ path: url, scheme: headers["x-restate-signature-scheme"], token: headers["x-restate-jwt-v1"] });
    handler(request, response);
  },
});
try {
  await register(server.adminUrl, endpoint.url);
  await fetch(`${server.ingressUrl}/Greeter/greet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify("matrix"),
  });
  const requests = seen.map((request) => {
    const payload = JSON.parse(Buffer.from(String(request.token).split(".")[1] ?? "", "base64url").toString());
    return { ...request, iat: payload.iat as number, exp: payload.exp as number };
  });
  const fixture = { source: "restate-server 1.7.12", publicKey: publicKeyFromPem(pem), requests };
  writeFileSync(new URL("./fixtures/server-tokens.json", import.meta.url), `${JSON.stringify(fixture, null, 2)}\n`);
} finally {
  await endpoint.stop();
  await server.stop();
}
