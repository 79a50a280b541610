import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type RestateServer, register, repoRoot, serveEndpoint, startRestate } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterV1 } from "./services.js";

const script = fileURLToPath(new URL("./fixtures/runtime-smoke.mjs", import.meta.url));
const bin = (name: string) => `${repoRoot}node_modules/.bin/${name}`;

let server: RestateServer;
let stopEndpoint: () => Promise<void>;
beforeAll(async () => {
  server = await startRestate();
  const endpoint = await serveEndpoint([greeterV1]);
  stopEndpoint = endpoint.stop;
  await register(server.adminUrl, endpoint.url);
});
afterAll(async () => {
  await stopEndpoint?.();
  await server?.stop();
});

const runtimes: [string, string, string[]][] = [
  ["Node 20 (system)", "/usr/bin/node", [script]],
  ["Bun", bin("bun"), [script]],
  ["Deno", bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", script]],
];

describe("the library runs unchanged on", () => {
  it.each(runtimes)("%s", (_name, command, args) => {
    const result = spawnSync(command, [...args, server.adminUrl], { encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      version: "1.7.12",
      api: 4,
      services: ["Greeter"],
      missing: { status: 404, code: "ERR_ADMIN_API" },
    });
  });
});
