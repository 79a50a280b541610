import { type RestateCluster, type ServedEndpoint, serveEndpoint, startRestateCluster } from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { createAdminClient, type RetryEvent } from "../src/index.js";
import { greeterV1 } from "./services.js";

// Admin fail-over on a real 3-node replicated cluster (every node serves the admin API): with the
// first node killed, the client and the CLI, given every node's URL, still register, list and query.
let cluster: RestateCluster;
let endpoint: ServedEndpoint;

beforeAll(async () => {
  cluster = await startRestateCluster({ nodes: 3, replication: 2 });
  endpoint = await serveEndpoint([greeterV1]);
}, 180_000);
afterAll(async () => {
  await endpoint?.stop();
  await cluster?.stop();
});

describe("admin fail-over on a 3-node cluster", () => {
  it("one registration sent to every node at once (a retry on another node after a timeout) makes one deployment", async () => {
    const results = await Promise.all(
      cluster.adminUrls.map((baseUrl) => createAdminClient({ baseUrl }).deployments.register({ uri: endpoint.url })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const listed = await createAdminClient({ baseUrl: cluster.adminUrls }).deployments.list();
    const address = new URL(endpoint.url).href;
    expect(listed.filter((d) => "uri" in d && new URL(d.uri).href === address)).toHaveLength(1);
  });

  it("with the first node killed: register, services.list and query succeed, and say which node answered", async () => {
    const [first, second] = cluster.adminUrls as [string, string, string];
    await cluster.node("n1").kill();
    expect(cluster.node("n1").running).toBe(false);

    const retries: RetryEvent[] = [];
    const admin = createAdminClient({
      baseUrl: cluster.adminUrls,
      retry: { maxAttempts: 8, budgetMs: 60_000 },
      onRetry: (event) => retries.push(event),
    });
    const registered = await admin.deployments.register({ uri: endpoint.url });
    expect(registered.services.map((s) => s.name)).toEqual(["Greeter"]);
    expect(retries[0]).toMatchObject({ baseUrl: first, nextBaseUrl: second });
    expect(retries[0]?.error.code).toBe("network_error");
    expect(admin.activeBaseUrl).not.toBe(first);

    const services = await admin.services.list();
    expect(services.find((s) => s.name === "Greeter")?.deployment_id).toBe(registered.id);
    const rows = await admin.query<{ name: string }>("SELECT name FROM sys_service WHERE name = 'Greeter'");
    expect(rows).toEqual([{ name: "Greeter" }]);
    expect(admin.activeBaseUrl).not.toBe(first);

    // The CLI, with every node in RESTATE_ADMIN_URL, and a fresh client that starts at the dead node.
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: { RESTATE_ADMIN_URL: cluster.adminUrls.join(",") },
    };
    expect(await run(["register", endpoint.url, "--json"], io)).toBe(0);
    expect((JSON.parse(out.join("\n")) as { id: string }).id).toBe(registered.id);
    expect(err.join("\n")).toContain(`failed at ${first}`);
    out.length = 0;
    expect(
      await run(["query", "SELECT name FROM sys_service", "--json", "--url", cluster.adminUrls.join(",")], io),
    ).toBe(0);
    expect(JSON.parse(out.join("\n"))).toContainEqual({ name: "Greeter" });
  }, 180_000);
});
