import { describe, expect, it } from "vitest";
import { BOUND_INVOCATIONS_SQL, LATEST_DEPLOYMENTS_SQL, readUsage, usageOf } from "../src/lifecycle/status.js";

/** Answers the two status queries with fixed rows, recording the order they were asked in. */
function tables(bound: unknown[], latest: unknown[]) {
  const asked: string[] = [];
  const query = async <Row>(sql: string): Promise<Row[]> => {
    asked.push(sql);
    if (sql === BOUND_INVOCATIONS_SQL) return bound as Row[];
    if (sql === LATEST_DEPLOYMENTS_SQL) return latest as Row[];
    throw new Error(`unexpected query ${sql}`);
  };
  return { query, asked };
}

describe("deployment status", () => {
  it("reads bound invocations before the latest deployments, and counts pinned and last-attempt ids once each", async () => {
    const { query, asked } = tables(
      [
        { pinned_deployment_id: "dp_a", last_attempt_deployment_id: "dp_a", invocations: 2 },
        { pinned_deployment_id: null, last_attempt_deployment_id: "dp_b", invocations: "1" },
        { pinned_deployment_id: "dp_a", last_attempt_deployment_id: "dp_c", invocations: 1 },
      ],
      [{ name: "Greeter", deployment_id: "dp_new" }],
    );
    const snapshot = await readUsage(query);
    expect(asked).toEqual([BOUND_INVOCATIONS_SQL, LATEST_DEPLOYMENTS_SQL]);
    expect(Object.fromEntries(snapshot.bound)).toEqual({ dp_a: 3, dp_b: 1, dp_c: 1 });
    const services = [{ name: "Greeter" }];
    expect(usageOf({ id: "dp_new", services }, snapshot)).toEqual({
      status: "active",
      latestFor: ["Greeter"],
      boundInvocations: 0,
    });
    expect(usageOf({ id: "dp_a", services }, snapshot).status).toBe("draining");
    expect(usageOf({ id: "dp_b", services }, snapshot).status).toBe("draining");
    expect(usageOf({ id: "dp_old", services }, snapshot).status).toBe("drained");
  });

  it("calls a deployment active when sys_service does not know one of its services, as the Restate CLI does", async () => {
    const { query } = tables([], [{ name: "Greeter", deployment_id: "dp_new" }]);
    const snapshot = await readUsage(query);
    expect(usageOf({ id: "dp_old", services: [{ name: "Greeter" }, { name: "Gone" }] }, snapshot)).toMatchObject({
      status: "active",
      latestFor: ["Gone"],
    });
    expect(usageOf({ id: "dp_empty", services: [] }, snapshot).status).toBe("drained");
  });
});
