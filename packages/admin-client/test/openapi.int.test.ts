import { readFileSync } from "node:fs";
import { RESTATE_SERVER_VERSION, type RestateServer, startRestate } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTypes, stableJson } from "../scripts/generate.mjs";

const checkedIn = readFileSync(new URL("../openapi.json", import.meta.url), "utf8");
const generatedTypes = readFileSync(new URL("../src/openapi.generated.ts", import.meta.url), "utf8");

let server: RestateServer;
beforeAll(async () => {
  server = await startRestate();
});
afterAll(async () => {
  await server?.stop();
});

describe("the checked-in admin OpenAPI document", () => {
  it("is exactly what the pinned restate-server serves (run `npm run generate` after upgrading)", async () => {
    const response = await fetch(`${server.adminUrl}/openapi`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as { info: { version: string } };
    expect(served.info.version).toBe(RESTATE_SERVER_VERSION);
    expect(stableJson(served)).toBe(checkedIn);
  });

  it("matches the generated types", async () => {
    expect(await renderTypes(JSON.parse(checkedIn))).toBe(generatedTypes);
  });
});
