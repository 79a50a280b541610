import { afterAll, expect, it } from "vitest";
import { register, serveEndpoint, startRestate } from "../src/index.js";
import { greet, greeter } from "./fixtures/greeter.js";

// Two files with this content run in parallel workers: their servers must not collide.
it("runs its own server alongside another test file's", async () => {
  const server = await startRestate();
  const endpoint = await serveEndpoint([greeter]);
  afterAll(async () => {
    await endpoint.stop();
    await server.stop();
  });
  await register(server.adminUrl, endpoint.url);
  for (let i = 0; i < 5; i++) expect(await greet(server.ingressUrl, `call ${i}`)).toBe(`Hello, call ${i}!`);
});
