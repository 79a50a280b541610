import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freePort,
  type RestateServer,
  register,
  repoRoot,
  serveEndpoint,
  spawnManaged,
  startRestate,
  waitFor,
} from "@restate-connect/testkit";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
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
      missing: { status: 404, code: "api_error" },
    });
  });
});

describe("the library runs unchanged on workerd", () => {
  it("as a Worker reaching the admin API through fetch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "admin-client-workerd-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const worker = await build({
      stdin: {
        contents: `
          import { AdminApiError, createAdminClient } from "./dist/index.js";
          export default {
            async fetch(request, env) {
              if (new URL(request.url).pathname === "/ready") return new Response("ok");
              const admin = createAdminClient({ baseUrl: env.ADMIN_URL });
              await admin.waitUntilReady({ timeoutMs: 10000 });
              const version = await admin.version();
              const missing = await admin.services.get("DoesNotExist").catch((e) => e);
              return Response.json({
                version: version.version,
                api: await admin.apiVersion(),
                services: (await admin.services.list()).map((s) => s.name),
                missing: missing instanceof AdminApiError ? { status: missing.status, code: missing.code } : String(missing),
              });
            },
          };`,
        resolveDir: fileURLToPath(new URL("..", import.meta.url)),
        loader: "js",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      write: false,
    });
    writeFileSync(join(dir, "worker.js"), worker.outputFiles[0]?.text ?? "");
    const port = await freePort();
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    # The default outbound network only reaches public addresses; the test server is on loopback.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "ADMIN_URL", text = ${JSON.stringify(server.adminUrl)}) ],
);
`,
    );
    const workerd = spawnManaged(bin("workerd"), ["serve", join(dir, "config.capnp")], { cwd: dir });
    onTestFinished(() => workerd.stop());
    await waitFor(`http://127.0.0.1:${port}/ready`, { timeoutMs: 30_000, describeFailure: () => workerd.logs() });
    const response = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => {
      throw new Error(`workerd did not answer: ${String(error)}\n${workerd.logs()}`);
    });
    expect(response.status, workerd.logs()).toBe(200);
    expect(await response.json()).toEqual({
      version: "1.7.12",
      api: 4,
      services: ["Greeter"],
      missing: { status: 404, code: "api_error" },
    });
  });
});
