import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports.ts";
import type { ManagedProcess } from "./processes.ts";
import {
  logTail,
  loopbackUrl,
  restateEnv,
  spawnRestateServer,
  waitForRestateHealth,
  writeRestateConfig,
} from "./restate-process.ts";
import { clusterSql } from "./restatectl.ts";
import { sleep } from "./wait.ts";

export interface StartRestateClusterOptions {
  /** How many restate-server nodes. Default 3. */
  nodes?: number;
  /** Copies of every log record and partition (`default-replication`). Default 2. */
  replication?: number;
  /** Number of partitions. Default 2. */
  partitions?: number;
  /** PKCS#8 PEM of an Ed25519 key every node signs its requests to services with (see `restart`). */
  signingKeyPem?: string;
  /** Extra environment variables for every node. */
  env?: Record<string, string>;
  /** How long to wait until the cluster is ready. Default 90 s. */
  startupTimeoutMs?: number;
}

export interface RestartNodeOptions {
  /** A new signing key for this node (the others keep theirs). Default: the key it had. */
  signingKeyPem?: string;
  /** How long to wait until the node has rejoined. Default 90 s. */
  timeoutMs?: number;
}

export interface RestateClusterNode {
  /** `node-name`: `n1`, `n2`, … (`n1` provisioned the cluster). */
  readonly name: string;
  readonly adminUrl: string;
  readonly ingressUrl: string;
  /** The node-to-node (fabric) address, which `restatectl` talks to. */
  readonly fabricUrl: string;
  readonly baseDir: string;
  /** The current process id, or undefined while the node is down. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The tail of the current (or last) process's log. */
  logs(): string;
  /** SIGKILL: the node dies as in a crash. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 3 s: a graceful shutdown. */
  stop(): Promise<void>;
  /**
   * Starts the node again with the same name, ports and data (stopping it first if it runs), and
   * resolves once it has rejoined: it answers health checks, the cluster sees it alive, its partition
   * replicas have caught up and every partition has a leader.
   */
  restart(options?: RestartNodeOptions): Promise<void>;
}

/** One partition replica as the cluster reports it (`partition_state`). */
export interface PartitionReplica {
  partitionId: number;
  /** The node's name (`n1`, …). */
  node: string;
  mode: "leader" | "follower";
  /** `active` once caught up; `catching_up` while replaying the log. */
  replayStatus: string;
}

export interface ClusterStatus {
  /** Names of the nodes the cluster itself reports alive. */
  aliveNodes: string[];
  replicas: PartitionReplica[];
  /** Partition id → the name of the node that leads it, for partitions with an active leader on a running node. */
  leaders: Map<number, string>;
}

export interface RestateCluster {
  readonly nodes: readonly RestateClusterNode[];
  /** Admin URLs of every node (a cluster serves its admin API on each node with the admin role). */
  readonly adminUrls: readonly string[];
  readonly ingressUrls: readonly string[];
  readonly partitions: number;
  readonly baseDir: string;
  /** The node by name (`n1`, …); throws for an unknown name. */
  node(name: string): RestateClusterNode;
  /** The cluster's own view, read through the running nodes. */
  status(): Promise<ClusterStatus>;
  /**
   * Resolves when every running node is seen alive, every partition has an active leader on a running
   * node and `min(replication, running nodes)` caught-up replicas, no replica is still catching up,
   * and the leaders have stayed the same for 2 s (a rejoined node takes leadership back shortly
   * after it caught up).
   */
  waitUntilReady(timeoutMs?: number): Promise<ClusterStatus>;
  /** Kills every node and removes every directory. Safe to call more than once. */
  stop(): Promise<void>;
}

/** How long the leaders must stay the same before the cluster counts as ready. */
const SETTLE_MS = 2000;

interface NodeRow {
  name: string;
  plain_node_id: string;
  state: string;
}
interface PartitionStateRow {
  partition_id: number;
  plain_node_id: string;
  effective_mode: string;
  replay_status: string;
}

/**
 * Starts a replicated Restate cluster on loopback: `nodes` restate-servers, each with every role
 * (metadata-server, admin, worker, log-server, http-ingress), the replicated metadata store and
 * Bifrost provider, `default-replication = replication`, `n1` provisioning the cluster. Ready means
 * every node's admin `/health` and ingress `/restate/health` answer, the cluster reports every node
 * alive, and every partition has an active leader and its full set of caught-up replicas (read with
 * `restatectl` from the cluster's `nodes` and `partition_state` tables; see `waitUntilReady`).
 *
 * @example
 * const cluster = await startRestateCluster({ nodes: 3, replication: 2 });
 * onTestFinished(() => cluster.stop());
 * await cluster.node("n2").kill();
 * await cluster.waitUntilReady(); // the partitions n2 led have failed over
 * await cluster.node("n2").restart();
 */
export async function startRestateCluster(options: StartRestateClusterOptions = {}): Promise<RestateCluster> {
  const count = options.nodes ?? 3;
  const replication = options.replication ?? 2;
  const partitions = options.partitions ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`nodes must be a positive integer, got ${count}`);
  if (!Number.isInteger(replication) || replication < 1 || replication > count) {
    throw new RangeError(`replication must be an integer between 1 and nodes (${count}), got ${replication}`);
  }
  const timeoutMs = options.startupTimeoutMs ?? 90_000;
  const baseDir = mkdtempSync(join(tmpdir(), "restate-connect-cluster-"));
  const ports = await freePorts(count * 3);
  const fabricUrls = Array.from({ length: count }, (_, i) => loopbackUrl(ports[i * 3] as number));

  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i + 1}`;
    const dir = join(baseDir, name);
    mkdirSync(dir);
    const [fabricPort, adminPort, ingressPort] = ports.slice(i * 3, i * 3 + 3) as [number, number, number];
    const configFile = writeRestateConfig({
      dir,
      nodeName: name,
      clusterName: "testkit-cluster",
      fabricPort,
      adminPort,
      ingressPort,
      partitions,
      // Several nodes share a small machine with other tests.
      rocksdbMemoryMib: 128,
      queryMemoryMib: 64,
      topLevel: [
        `roles = ["metadata-server", "admin", "worker", "log-server", "http-ingress"]`,
        `auto-provision = ${i === 0}`,
        `default-replication = ${replication}`,
      ],
      tables: [
        "[bifrost]",
        `default-provider = "replicated"`,
        `record-cache-memory-size = "32.0 MiB"`,
        "",
        "[metadata-server]",
        `type = "replicated"`,
        "",
        "[metadata-client]",
        `addresses = [${fabricUrls.map((url) => JSON.stringify(url)).join(", ")}]`,
        "",
      ].join("\n"),
    });
    nodes.push(
      new ClusterNode({
        name,
        dir,
        configFile,
        fabricPort,
        adminPort,
        ingressPort,
        env: options.env,
        signingKeyPem: options.signingKeyPem,
      }),
    );
  }

  let stopped = false;
  const cluster: RestateCluster = {
    nodes,
    adminUrls: nodes.map((n) => n.adminUrl),
    ingressUrls: nodes.map((n) => n.ingressUrl),
    partitions,
    baseDir,
    node: (name) => {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new RangeError(`no node named ${name} (have ${nodes.map((n) => n.name).join(", ")})`);
      return found;
    },
    status: () => readStatus(nodes),
    waitUntilReady: (ms) => waitUntilReady(nodes, partitions, replication, ms ?? 90_000),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Nothing is kept: no point in a graceful shutdown.
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
  for (const node of nodes) node.rejoined = (ms) => waitUntilReady(nodes, partitions, replication, ms);

  try {
    await Promise.all(nodes.map((n) => n.start(timeoutMs)));
    await waitUntilReady(nodes, partitions, replication, timeoutMs);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

interface ClusterNodeSettings {
  name: string;
  dir: string;
  configFile: string;
  fabricPort: number;
  adminPort: number;
  ingressPort: number;
  env: Record<string, string> | undefined;
  signingKeyPem: string | undefined;
}

class ClusterNode implements RestateClusterNode {
  readonly name: string;
  readonly baseDir: string;
  readonly adminUrl: string;
  readonly ingressUrl: string;
  readonly fabricUrl: string;
  /** Set by the cluster: resolves once the whole cluster is ready again. */
  rejoined: (timeoutMs: number) => Promise<unknown> = async () => {};
  private readonly configFile: string;
  private readonly extraEnv: Record<string, string> | undefined;
  private signingKeyPem: string | undefined;
  private proc: ManagedProcess | undefined;
  private ending = false;
  private lastLogs = "";

  constructor(settings: ClusterNodeSettings) {
    this.name = settings.name;
    this.baseDir = settings.dir;
    this.configFile = settings.configFile;
    this.extraEnv = settings.env;
    this.signingKeyPem = settings.signingKeyPem;
    this.adminUrl = loopbackUrl(settings.adminPort);
    this.ingressUrl = loopbackUrl(settings.ingressPort);
    this.fabricUrl = loopbackUrl(settings.fabricPort);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }
  get running(): boolean {
    return this.proc !== undefined;
  }
  logs(): string {
    return this.proc?.logs() ?? this.lastLogs;
  }

  async start(timeoutMs: number): Promise<void> {
    const env = restateEnv(this.baseDir, this.signingKeyPem, this.extraEnv);
    this.ending = false;
    const proc = spawnRestateServer(this.configFile, env, this.baseDir);
    this.proc = proc;
    await waitForRestateHealth(proc, this, timeoutMs, () => this.ending);
  }

  kill(): Promise<void> {
    return this.end((proc) => proc.kill());
  }
  stop(): Promise<void> {
    return this.end((proc) => proc.stop());
  }

  async restart(options: RestartNodeOptions = {}): Promise<void> {
    if (this.running) await this.stop();
    if (options.signingKeyPem !== undefined) this.signingKeyPem = options.signingKeyPem;
    const timeoutMs = options.timeoutMs ?? 90_000;
    await this.start(timeoutMs);
    await this.rejoined(timeoutMs);
  }

  private async end(how: (proc: ManagedProcess) => Promise<void>): Promise<void> {
    const proc = this.proc;
    if (proc === undefined) return;
    this.ending = true;
    await how(proc);
    this.lastLogs = proc.logs();
    this.proc = undefined;
  }
}

async function readStatus(nodes: readonly ClusterNode[]): Promise<ClusterStatus> {
  const running = nodes.filter((n) => n.running);
  if (running.length === 0) throw new Error("no node of the cluster is running");
  const fabric = running.map((n) => n.fabricUrl);
  const nodeRows = await clusterSql<NodeRow>(fabric, "SELECT name, plain_node_id, state FROM nodes");
  const stateRows = await clusterSql<PartitionStateRow>(
    fabric,
    "SELECT partition_id, plain_node_id, effective_mode, replay_status FROM partition_state",
  );
  const nameOf = new Map(nodeRows.map((row) => [row.plain_node_id, row.name]));
  const runningNames = new Set(running.map((n) => n.name));
  const aliveNodes = nodeRows.filter((row) => row.state === "alive").map((row) => row.name);
  const replicas: PartitionReplica[] = stateRows.map((row) => ({
    partitionId: row.partition_id,
    node: nameOf.get(row.plain_node_id) ?? row.plain_node_id,
    mode: row.effective_mode.toLowerCase() === "leader" ? "leader" : "follower",
    replayStatus: row.replay_status.toLowerCase(),
  }));
  const leaders = new Map<number, string>();
  // Right after a crash the dead leader's last report still says "Leader": only running nodes count.
  for (const replica of replicas) {
    if (replica.mode === "leader" && replica.replayStatus === "active" && runningNames.has(replica.node)) {
      leaders.set(replica.partitionId, replica.node);
    }
  }
  return { aliveNodes, replicas, leaders };
}

async function waitUntilReady(
  nodes: readonly ClusterNode[],
  partitions: number,
  replication: number,
  timeoutMs: number,
): Promise<ClusterStatus> {
  const deadline = Date.now() + timeoutMs;
  let last = "no status read yet";
  let stableSince: number | undefined;
  let stableSignature = "";
  while (Date.now() < deadline) {
    try {
      const status = await readStatus(nodes);
      const running = nodes.filter((n) => n.running).map((n) => n.name);
      const notAlive = running.filter((name) => !status.aliveNodes.includes(name));
      const leaderless = Array.from({ length: partitions }, (_, id) => id).filter((id) => !status.leaders.has(id));
      const catchingUp = status.replicas.filter((r) => running.includes(r.node) && r.replayStatus !== "active");
      // Fully replicated: as many active copies as the replication asks for (or as nodes are running).
      const wanted = Math.min(replication, running.length);
      const underReplicated = Array.from({ length: partitions }, (_, id) => id).filter(
        (id) =>
          status.replicas.filter((r) => r.partitionId === id && running.includes(r.node) && r.replayStatus === "active")
            .length < wanted,
      );
      if (notAlive.length === 0 && leaderless.length === 0 && catchingUp.length === 0 && underReplicated.length === 0) {
        // A node that has just caught up takes leadership of some partitions back a moment later
        // (a planned handover, during which SQL queries can fail): ready means this view held still.
        const signature = JSON.stringify([...status.leaders.entries()].sort());
        if (stableSince === undefined || signature !== stableSignature) {
          stableSince = Date.now();
          stableSignature = signature;
        } else if (Date.now() - stableSince >= SETTLE_MS) {
          return status;
        }
        last = `leaders ${signature} not yet stable for ${SETTLE_MS} ms`;
        await sleep(250);
        continue;
      }
      stableSince = undefined;
      last = [
        notAlive.length > 0 ? `not yet alive: ${notAlive.join(", ")}` : "",
        leaderless.length > 0 ? `partitions without a leader: ${leaderless.join(", ")}` : "",
        catchingUp.length > 0 ? `catching up: ${catchingUp.map((r) => `${r.partitionId}@${r.node}`).join(", ")}` : "",
        underReplicated.length > 0
          ? `fewer than ${Math.min(replication, running.length)} replicas: ${underReplicated.join(", ")}`
          : "",
      ]
        .filter(Boolean)
        .join("; ");
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  const logs = nodes.map((n) => `--- ${n.name} (${n.running ? "running" : "down"}):\n${logTail(n.logs(), 15)}`);
  throw new Error(`the cluster was not ready after ${timeoutMs} ms (${last})\n${logs.join("\n")}`);
}
