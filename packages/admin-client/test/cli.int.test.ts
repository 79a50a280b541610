import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import {
  freePort,
  listenOnLoopback,
  type RestateServer,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterV1, greeterV2 } from "./services.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const TOKEN = "cli-test-token-51d0c2a7";

let server: RestateServer;
let v1: ServedEndpoint;
let v2: ServedEndpoint;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error("dist/cli.js is missing: run `npx tsup` (turbo builds before testing)");
  server = await startRestate();
  v1 = await serveEndpoint([greeterV1]);
  v2 = await serveEndpoint([greeterV2]);
});
afterAll(async () => {
  await v1?.stop();
  await v2?.stop();
  await server?.stop();
});

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? "", RESTATE_ADMIN_URL: server.adminUrl, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("restate-admin CLI", () => {
  it("registers, lists services and queries with --json", async () => {
    const registered = await run(["register", v1.url, "--force", "--header", "x-platform-key=abc", "--json"]);
    expect(registered.stderr).toMatch(
      /^restate-admin: warning: --header x-platform-key: a secret on the command line[^\n]*\n$/,
    );
    expect(registered.code).toBe(0);
    const result = JSON.parse(registered.stdout) as { id: string; services: { name: string }[]; created: boolean };
    expect(result.services.map((s) => s.name)).toEqual(["Greeter"]);

    const services = await run(["services", "--json"]);
    expect(services.code).toBe(0);
    const list = JSON.parse(services.stdout) as { name: string; deployment_id: string }[];
    expect(list.find((s) => s.name === "Greeter")?.deployment_id).toBe(result.id);

    const query = await run(["query", "SELECT name, ty FROM sys_service ORDER BY name", "--json"]);
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout)).toContainEqual({ name: "Greeter", ty: "service" });

    const deployments = await run(["deployments", "--json"]);
    const listed = JSON.parse(deployments.stdout) as { id: string; additional_headers: Record<string, string> }[];
    expect(listed.find((d) => d.id === result.id)?.additional_headers).toEqual({ "x-platform-key": "[redacted]" });
    expect(deployments.stdout).not.toContain("abc");
    const revealed = await run(["deployments", "list", "--json", "--show-secrets"]);
    const shown = JSON.parse(revealed.stdout) as { id: string; additional_headers: Record<string, string> }[];
    expect(shown.find((d) => d.id === result.id)?.additional_headers).toEqual({ "x-platform-key": "abc" });
  });

  it("prints human tables by default", async () => {
    await run(["register", v1.url, "--force"]);
    const services = await run(["services"]);
    expect(services.code).toBe(0);
    const [header, ...rows] = services.stdout.trim().split("\n");
    expect(header).toMatch(/^NAME\s+TYPE\s+REVISION\s+PUBLIC\s+DEPLOYMENT$/);
    expect(rows.some((r) => /^Greeter\s+Service\s+\d+\s+true\s+dp_/.test(r))).toBe(true);
    const service = await run(["service", "Greeter"]);
    expect(service.stdout).toMatch(/^type\s+Service$/m);
    expect(service.stdout).toMatch(/^HANDLER\s+TYPE\s+PUBLIC$/m);
    expect(service.stdout).toMatch(/^slow\s/m);
    const health = await run(["health"]);
    expect(health.stdout).toMatch(/^ok: restate-server 1\.7\.12 .*\(admin API v4\)$/m);
  });

  it("exits 1 with the server's error for a conflicting registration, and 0 when dry-run with --breaking", async () => {
    await run(["register", v1.url, "--force"]);
    const conflict = await run(["register", v2.url, "--json"]);
    expect(conflict.code).toBe(1);
    expect(JSON.parse(conflict.stdout)).toMatchObject({
      error: { code: "api_error", retryable: false, status: 409, restate_code: "META0006" },
    });
    expect(conflict.stderr).toContain("META0006");

    const dry = await run(["register", v2.url, "--breaking", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dry_run: true,
      services: [{ name: "Greeter", ty: "VirtualObject" }],
    });
    const still = await run(["service", "Greeter", "--json"]);
    expect(JSON.parse(still.stdout)).toMatchObject({ ty: "Service" });
  });

  it("exits 2 on usage errors", async () => {
    for (const args of [
      [],
      ["frobnicate"],
      ["register"],
      ["invocation", "stop", "inv_1"],
      ["services", "--force"],
      ["register", "x", "--wait-ready", "soon"],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^restate-admin: error \[[a-z_]+\]: /m);
    }
    expect((await run(["register", "ftp://example.com"])).code).toBe(2);
  });

  it("shows progress while waiting, then fails with exit 1, never printing the token", async () => {
    const port = await freePort();
    const result = await run(["register", v1.url, "--wait-ready", "1500ms"], {
      RESTATE_ADMIN_URL: `http://127.0.0.1:${port}`,
      RESTATE_AUTH_TOKEN: TOKEN,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/still waiting for http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stderr).toMatch(
      /restate-admin: error \[not_ready\]: the Restate admin API was not ready within 1500 ms/,
    );
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("fails over to the next --url when the first admin API is down, and says which node answered", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const health = await run(["health", "--url", `${dead},${server.adminUrl}`]);
    expect(health.code).toBe(0);
    expect(health.stdout).toContain(`ok: restate-server 1.7.12 at ${server.adminUrl} (admin API v4)`);
    expect(health.stderr).toMatch(new RegExp(`attempt 1 failed at ${dead}: .*; trying ${server.adminUrl}`));
    const services = await run(["services", "--json"], { RESTATE_ADMIN_URL: `${dead}, ${server.adminUrl}` });
    expect(services.code).toBe(0);
    expect(JSON.parse(services.stdout)).toBeInstanceOf(Array);
  });

  it("reports invocation actions", async () => {
    await run(["register", v1.url, "--force"]);
    const send = await fetch(`${server.ingressUrl}/Greeter/slow/send`, { method: "POST" });
    const { invocationId } = (await send.json()) as { invocationId: string };
    const killed = await run(["invocation", "kill", invocationId, "--json"]);
    expect(killed.code).toBe(0);
    expect(JSON.parse(killed.stdout)).toEqual({ id: invocationId, action: "kill", ok: true });
    const missing = await run(["invocation", "cancel", "inv_1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    expect(missing.code).toBe(1);
  });

  it("never prints the secrets of a deployment's address: credentials refused, query values redacted", async () => {
    const url = new URL(v1.url);
    const credentials = await run(["register", `http://user:pw5ecret@${url.host}/`, "--json"]);
    expect(credentials.code).toBe(2);
    // restate-server 1.7.12 stores a query and quotes the address in discovery errors.
    const refusing = await listenOnLoopback(createServer((_, response) => response.writeHead(401).end("no")));
    const failed = await run(["register", `${refusing.url}/?x-api-key=qu3rysecret`, "--json"]).finally(() =>
      refusing.close(),
    );
    expect(failed.code).toBe(1);
    const { error } = JSON.parse(failed.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe("discovery_failed");
    expect(error.message).toContain("x-api-key=[redacted]");
    const root = v1.url.replace(/\/$/, "");
    const bypass = `${root}/?x-vercel-protection-bypass=qu3rysecret`;
    expect((await run(["register", bypass, "--force"])).code).toBe(0);
    const table = await run(["deployments"]);
    const listed = await run(["deployments", "--json"]);
    expect(listed.stdout).toContain("x-vercel-protection-bypass=[redacted]");
    const printed = [credentials, failed, table, listed].map((r) => r.stdout + r.stderr).join("\n");
    expect(printed).not.toMatch(/pw5ecret|qu3rysecret/);
    expect((await run(["deployments", "--json", "--show-secrets"])).stdout).toContain("qu3rysecret");
    await run(["register", v1.url, "--force"]);
  });
});
