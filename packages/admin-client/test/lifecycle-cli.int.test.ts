import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  freePort,
  type RestateServer,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { awakeables, versioned } from "./lifecycle-services.js";

const SECRET = "cli-secret-header-value-3b9d";
let server: RestateServer;
let dir: string;
const endpoints: ServedEndpoint[] = [];

beforeAll(async () => {
  server = await startRestate();
  dir = mkdtempSync(join(tmpdir(), "restate-admin-lifecycle-"));
});
afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.stop()));
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(service: ReturnType<typeof versioned>) {
  const endpoint = await serveEndpoint([service]);
  endpoints.push(endpoint);
  return endpoint;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { RESTATE_ADMIN_URL: server.adminUrl, ...env },
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("restate-admin plan / apply", () => {
  it("plans with Terraform's exit codes, applies idempotently, and never prints a header value", async () => {
    const endpoint = await serve(versioned("CliPlanned", "c1"));
    const yaml = file(
      "restate.yaml",
      [
        "deployments:",
        `  - uri: ${endpoint.url}`,
        '    headers: { x-api-key: "${CLI_KEY}" }',
        "services:",
        "  CliPlanned:",
        "    public: false",
        "    journalRetention: 1d",
      ].join("\n"),
    );
    const env = { CLI_KEY: SECRET };

    const planned = await cli(["plan", "-f", yaml, "--detailed-exitcode"], env);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toMatch(/\+ register http:\/\/127\.0\.0\.1:\d+/);
    expect(planned.stdout).toContain("~ update service CliPlanned");
    expect(planned.stdout).toContain("headers: x-api-key (values hidden)");
    const json = await cli(["plan", "-f", yaml, "--json"], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ has_changes: true, warnings: [] });
    for (const output of [planned, json]) expect(output.stdout + output.stderr).not.toContain(SECRET);

    const applied = await cli(["apply", "-f", yaml, "--json"], env);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout).applied.map((c: { kind: string }) => c.kind)).toEqual([
      "register_deployment",
      "update_service",
    ]);
    expect(applied.stdout + applied.stderr).not.toContain(SECRET);

    expect((await cli(["plan", "-f", yaml, "--detailed-exitcode"], env)).code).toBe(0);
    const again = await cli(["apply", "-f", yaml], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("No changes: the server matches the configuration.");

    // The same configuration as JSON.
    const jsonFile = file(
      "restate.json",
      JSON.stringify({
        deployments: [{ uri: endpoint.url, headers: { "x-api-key": "${CLI_KEY}" } }],
        services: { CliPlanned: { public: false, journalRetention: "24h" } },
      }),
    );
    expect((await cli(["plan", "-f", jsonFile, "--detailed-exitcode"], env)).code).toBe(0);

    const listed = await cli(["deployments", "--json"]);
    const deployments = JSON.parse(listed.stdout) as { status: string; services: { name: string }[] }[];
    expect(deployments.find((d) => d.services.some((s) => s.name === "CliPlanned"))?.status).toBe("active");
    const table = await cli(["deployments", "list"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+STATUS\s+ADDRESS/);
    expect(table.stdout).toMatch(/dp_\w+\s+active\s+http/);
  });

  it("names the file, the field and the variable in errors; with --detailed-exitcode every failure is 1", async () => {
    const missing = file("missing.yaml", 'deployments:\n  - uri: "${NOT_SET_ANYWHERE}"\n');
    const noVar = await cli(["plan", "-f", missing, "--detailed-exitcode"]);
    expect(noVar.code).toBe(1);
    expect(noVar.stderr).toBe(
      `restate-admin: error [missing_variable]: ${missing}: deployments[0].uri: environment variable NOT_SET_ANYWHERE is not set or empty`,
    );
    const typo = file("typo.yaml", "services:\n  Greeter:\n    pubic: false\n");
    const bad = await cli(["apply", "-f", typo, "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: "invalid_config" });
    expect(bad.stderr).toContain(`${typo}: services.Greeter.pubic: unknown field`);
    const broken = file("broken.yaml", "services:\n  A: 1\n  A: 2\n");
    expect((await cli(["plan", "-f", broken])).stderr).toMatch(/not valid YAML at line 3/);

    // Restate quotes the URL it cannot reach, in every retry's progress line and in the error.
    const closed = await freePort();
    const unreachable = file("unreachable.yaml", `deployments:\n  - uri: "http://127.0.0.1:${closed}/?t=\${TOKEN}"\n`);
    const down = await cli(["plan", "-f", unreachable, "--json", "--detailed-exitcode"], { TOKEN: SECRET });
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).error).toMatchObject({ code: "api_error", restate_code: "META0003" });
    expect(down.stderr).toMatch(/attempt 1 failed: .*\?t=\(redacted\)/);
    expect(`${down.stdout}${down.stderr}`).not.toContain(SECRET);

    expect((await cli(["plan", "--detailed-exitcode", "--nope"])).code).toBe(1);
    expect((await cli(["plan", "--nope"])).code).toBe(2);
    const noFile = await cli(["plan"]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("--file is required");
    const help = await cli(["plan", "--help"]);
    expect(help.stdout).toContain("--detailed-exitcode");
    expect(help.stdout).toContain("-f, --file <restate.yaml>");
  });
});

describe("restate-admin deployments prune / rollback", () => {
  it("rolls back, shows the old deployment draining while an invocation is pinned to it, prunes it once drained", async () => {
    const one = await serve(versioned("CliFlip", "one"));
    const two = await serve(versioned("CliFlip", "two"));
    expect((await cli(["register", one.url])).code).toBe(0);
    expect((await cli(["register", two.url])).code).toBe(0);

    const dry = await cli(["deployments", "prune", "--keep", "1", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as { dry_run: boolean; removed: { id: string; reason: string }[] };
    expect(report.dry_run).toBe(true);
    expect(report.removed).toHaveLength(1);
    expect(report.removed[0]?.reason).toBe("drained");

    // An invocation suspended on an awakeable stays pinned to `two` while `one` takes over.
    const before = awakeables.length;
    const sent = await fetch(`${server.ingressUrl}/CliFlip/wait/send`, { method: "POST" });
    expect(sent.status).toBe(202);
    while (awakeables.length === before) await new Promise((r) => setTimeout(r, 100));
    const rolled = await cli(["deployments", "rollback", "CliFlip", "--json"]);
    expect(rolled.code).toBe(0);
    const rollback = JSON.parse(rolled.stdout) as { from: { id: string }; to: { id: string } };
    expect(rollback).toMatchObject({ service: "CliFlip", to: { id: report.removed[0]?.id } });
    const call = await fetch(`${server.ingressUrl}/CliFlip/version`, { method: "POST" });
    expect(await call.json()).toBe("one");

    const listed = JSON.parse((await cli(["deployments", "--json"])).stdout) as {
      id: string;
      status: string;
      bound_invocations: number;
    }[];
    expect(listed.find((d) => d.id === rollback.from.id)).toMatchObject({ status: "draining", bound_invocations: 1 });
    const keeps = await cli(["deployments", "prune", "--json"]);
    expect(JSON.parse(keeps.stdout).kept).toContainEqual(
      expect.objectContaining({ id: rollback.from.id, status: "draining", reason: "draining" }),
    );
    const resolved = await fetch(`${server.ingressUrl}/restate/awakeables/${awakeables[before]}/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("done"),
    });
    expect(resolved.ok).toBe(true);
    for (let i = 0; i < 100; i++) {
      const now = JSON.parse((await cli(["deployments", "--json"])).stdout) as { id: string; status: string }[];
      if (now.find((d) => d.id === rollback.from.id)?.status === "drained") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pruned = await cli(["deployments", "prune"]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`${rollback.from.id}\\s+removed\\s+drained\\s+drained`));
    const refused = await cli(["deployments", "rollback", "CliFlip", "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe("rollback_refused");

    const badKeep = await cli(["deployments", "prune", "--keep", "-1"]);
    expect(badKeep.code).toBe(2);
    expect(badKeep.stderr).toContain("--keep");
  });

  it("apply that fails midway names what stays applied in --json, and the next apply finishes", async () => {
    const first = await serve(versioned("Halfway1", "1"));
    // Discovery works for plan's dry run, then fails once: the registration itself is refused.
    let discoveries = 0;
    const second = await serveEndpoint([versioned("Halfway2", "2")], {
      wrap: (handler) => (request, response) => {
        if (request.url?.startsWith("/discover") && ++discoveries === 2) {
          response.statusCode = 404;
          response.end();
          return;
        }
        handler(request, response);
      },
    });
    endpoints.push(second);
    const yaml = file("halfway.yaml", `deployments:\n  - uri: ${first.url}\n  - uri: ${second.url}\n`);
    const failed = await cli(["apply", "-f", yaml, "--json"]);
    expect(failed.code).toBe(1);
    const { error } = JSON.parse(failed.stdout);
    expect(error).toMatchObject({ code: "apply_incomplete", cause_code: "discovery_failed" });
    expect(error.applied).toMatchObject([{ kind: "register_deployment", address: first.url }]);
    const finished = await cli(["apply", "-f", yaml, "--json"]);
    expect(JSON.parse(finished.stdout).applied).toMatchObject([{ kind: "register_deployment", address: second.url }]);
  });

  it("works from the built CLI, YAML parser bundled in", () => {
    const built = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    expect(existsSync(built), "dist/cli.js is missing: run `npx tsup`").toBe(true);
    const config = file("empty.yaml", "services: {}\n");
    const result = spawnSync(process.execPath, [built, "plan", "-f", config, "--detailed-exitcode"], {
      env: { PATH: process.env.PATH ?? "", RESTATE_ADMIN_URL: server.adminUrl },
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe("No changes: the server matches the configuration.");
  });
});

describe("restate-admin plan -f -", () => {
  it("reads the configuration from standard input", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = (text: string) => ({
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: { RESTATE_ADMIN_URL: server.adminUrl },
      stdin: async () => new TextEncoder().encode(text),
    });
    expect(await run(["plan", "-f", "-", "--detailed-exitcode"], io("services: {}\n"))).toBe(0);
    expect(out.join("\n")).toBe("No changes: the server matches the configuration.");
    expect(await run(["plan", "-f", "-"], io("services:\n  Nope: { public: false }\n"))).toBe(1);
    expect(err.join("\n")).toContain("stdin: services.Nope: no such service on the server");
  });
});
