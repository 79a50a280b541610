import { generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it, onTestFinished } from "vitest";
import { isAlive, register, serveEndpoint, startRestateCluster } from "../src/index.js";
import { greet, greeter } from "./fixtures/greeter.js";

/**
 * A registration reaches the other nodes through the metadata store a few hundred ms later (measured:
 * up to ~0.5 s on 1.7.12); until then their ingress answers 404 "service not found".
 */
async function greetOnceKnown(ingressUrl: string, name: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return String(await greet(ingressUrl, name));
    } catch (error) {
      if (!String(error).includes("404") || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function signingKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

/** The key that signed a request, as the token's `kid` names it (`publickeyv1_…`). */
function kidOf(jwt: string | string[] | undefined): string {
  const header = JSON.parse(Buffer.from(String(jwt).split(".")[0] ?? "", "base64url").toString("utf8"));
  return String(header.kid);
}

const clusterDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("restate-connect-cluster-"));

describe("startRestateCluster", () => {
  it("runs three replicated nodes; a killed node's partitions fail over, and it rejoins with a new signing key", {
    timeout: 150_000,
  }, async () => {
    const cluster = await startRestateCluster({ nodes: 3, replication: 2, signingKeyPem: signingKeyPem() });
    onTestFinished(() => cluster.stop());
    expect(cluster.nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    expect(new Set(cluster.adminUrls).size).toBe(3);

    // Ready is the cluster's own view: every node alive, every partition led by a running node.
    const ready = await cluster.status();
    expect([...ready.aliveNodes].sort()).toEqual(["n1", "n2", "n3"]);
    expect([...ready.leaders.keys()].sort()).toEqual([0, 1]);
    // default-replication = 2: each partition runs on (at least — a third while the replica set is
    // being reconfigured right after start) two nodes.
    for (const id of [0, 1]) {
      expect(ready.replicas.filter((r) => r.partitionId === id).length).toBeGreaterThanOrEqual(2);
    }

    // A deployment registered on one node's admin API is served by every node's ingress.
    const kids: string[] = [];
    const endpoint = await serveEndpoint([greeter], {
      wrap: (handler) => (request, response) => {
        kids.push(kidOf(request.headers["x-restate-jwt-v1"]));
        handler(request, response);
      },
    });
    onTestFinished(() => endpoint.stop());
    await register(cluster.adminUrls[1] as string, endpoint.url);
    const kidA = kids[0];
    expect(kidA).toMatch(/^publickeyv1_/);
    for (const [i, url] of cluster.ingressUrls.entries()) {
      expect(await greetOnceKnown(url, `node ${i}`)).toBe(`Hello, node ${i}!`);
    }

    // Kill the node that leads partition 0.
    const victim = cluster.node(ready.leaders.get(0) as string);
    const pid = victim.pid as number;
    await victim.kill();
    expect(isAlive(pid)).toBe(false);
    expect(victim.running).toBe(false);
    await expect(fetch(`${victim.ingressUrl}/restate/health`)).rejects.toThrow();

    const failedOver = await cluster.waitUntilReady(60_000);
    expect([...failedOver.leaders.keys()].sort()).toEqual([0, 1]);
    expect([...failedOver.leaders.values()]).not.toContain(victim.name);
    const survivor = cluster.nodes.find((n) => n.running) as (typeof cluster.nodes)[number];
    expect(await greet(survivor.ingressUrl, "after the crash")).toBe("Hello, after the crash!");

    // Back with another signing key: the node whose admin API receives a registration signs the
    // discovery request, with its own key.
    await victim.restart({ signingKeyPem: signingKeyPem() });
    expect(victim.running).toBe(true);
    expect(victim.pid).not.toBe(pid);
    const rejoined = await cluster.status();
    expect(rejoined.aliveNodes).toContain(victim.name);
    expect(await greet(victim.ingressUrl, "back")).toBe("Hello, back!");
    kids.length = 0;
    await register(victim.adminUrl, endpoint.url);
    const viaVictim = kids[0];
    kids.length = 0;
    await register(survivor.adminUrl, endpoint.url);
    const viaSurvivor = kids[0];
    expect(viaSurvivor).toBe(kidA);
    expect(viaVictim).toMatch(/^publickeyv1_/);
    expect(viaVictim).not.toBe(kidA);

    const dirs = [cluster.baseDir, ...cluster.nodes.map((n) => n.baseDir)];
    const pids = cluster.nodes.map((n) => n.pid as number);
    await cluster.stop();
    for (const p of pids) expect(isAlive(p)).toBe(false);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  it("removes every process and directory when a node fails to start", async () => {
    const before = new Set(clusterDirs());
    // Every node exits at once on this setting; the error carries a node's log tail.
    await expect(
      startRestateCluster({ nodes: 2, replication: 2, env: { RESTATE_DEFAULT_NUM_PARTITIONS: "not a number" } }),
    ).rejects.toThrow(/restate-server exited/);
    expect(clusterDirs().filter((dir) => !before.has(dir))).toEqual([]);
  });

  it("refuses a replication the nodes cannot satisfy before starting anything", async () => {
    await expect(startRestateCluster({ nodes: 1, replication: 3 })).rejects.toThrow(/replication/);
  });
});
