import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Path of the restatectl binary shipped by the npm package (same version as the server) for this platform. */
export function restatectlBinary(): string {
  const require = createRequire(import.meta.url);
  const wrapper = dirname(require.resolve("@restatedev/restatectl/package.json"));
  const platformPackage = `@restatedev/restatectl-${process.platform}-${process.arch}`;
  const pkg = require.resolve(`${platformPackage}/package.json`, { paths: [wrapper] });
  return join(dirname(pkg), "bin", "restatectl");
}

export class ClusterQueryError extends Error {
  readonly code = "cluster_query_failed";
}

/**
 * Runs SQL over the cluster's own status tables (`nodes`, `partition_state`, `partitions`, `logs`, …)
 * with `restatectl sql --json`, through the nodes' fabric (node-to-node) addresses. These tables are
 * not in the admin API's `/query` on 1.7.12 (that one has the `sys_*` invocation tables only).
 */
export function clusterSql<Row>(fabricUrls: readonly string[], query: string, timeoutMs = 10_000): Promise<Row[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("RESTATECTL_") || key.startsWith("RESTATE_")) delete env[key];
  return new Promise((resolve, reject) => {
    execFile(
      restatectlBinary(),
      ["--address", fabricUrls.join(","), "sql", "--json", query],
      { env, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new ClusterQueryError(`restatectl sql failed: ${(stderr || error.message).trim().slice(-800)}`));
          return;
        }
        try {
          resolve(stdout.trim() === "" ? [] : (JSON.parse(stdout) as Row[]));
        } catch {
          reject(new ClusterQueryError(`restatectl sql printed no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}
