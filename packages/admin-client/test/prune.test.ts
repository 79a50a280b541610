import { describe, expect, it } from "vitest";
import type { AdminClient } from "../src/index.js";
import { executePrune, planPrune } from "../src/lifecycle/index.js";

/** Just enough of an admin client for prune: two drained deployments of one service. */
function fakeAdmin(orphansOf: Record<string, string[]>) {
  const removed: string[] = [];
  const deployment = (id: string, revision: number) => ({
    id,
    uri: `https://${id}.example.com/`,
    created_at: "2026-01-01T00:00:00Z",
    services: [{ name: "Greeter", revision }],
    status: "drained" as const,
    latest_for: [],
    bound_invocations: 0,
  });
  const all = [deployment("dp_latest", 3), deployment("dp_a", 2), deployment("dp_b", 1)];
  all[0] = { ...(all[0] as (typeof all)[number]), status: "active" as never, latest_for: ["Greeter"] as never };
  const admin = {
    deployments: {
      list: async () => all.filter((d) => !removed.includes(d.id)),
      remove: async (id: string) => {
        removed.push(id);
      },
    },
    query: async (sql: string) => {
      const id = /pinned_deployment_id = '([^']+)'/.exec(sql)?.[1] ?? "";
      return (orphansOf[id] ?? []).map((inv) => ({ id: inv }));
    },
  } as unknown as AdminClient;
  return { admin, removed };
}

describe("executePrune", () => {
  it("stops deleting after a delete left an orphaned invocation", async () => {
    const { admin, removed } = fakeAdmin({ dp_a: ["inv_1"] });
    const plan = await planPrune(admin, { keep: 1 });
    expect(plan.decisions.filter((d) => d.action === "remove").map((d) => d.id)).toEqual(["dp_a", "dp_b"]);
    const report = await executePrune(admin, plan);
    expect(removed).toEqual(["dp_a"]);
    expect(report.orphaned).toEqual([{ deployment: "dp_a", invocations: ["inv_1"] }]);
    expect(report.kept.find((d) => d.id === "dp_b")).toMatchObject({ reason: "stopped" });
  });

  it("removes every planned deployment when nothing is orphaned", async () => {
    const { admin, removed } = fakeAdmin({});
    const report = await executePrune(admin, await planPrune(admin, { keep: 1 }));
    expect(removed).toEqual(["dp_a", "dp_b"]);
    expect(report.orphaned).toEqual([]);
  });
});
