import {
  eventually,
  type RestateServer,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminClient, createAdminClient } from "../src/index.js";
import {
  ApplyIncompleteError,
  apply,
  executePrune,
  PlanStaleError,
  PruneIncompleteError,
  parseConfig,
  plan,
  planPrune,
  prune,
  RollbackRefusedError,
  rollback,
} from "../src/lifecycle/index.js";
import { awakeables, gates, redeclared, rewritten, slowStarter, versioned } from "./lifecycle-services.js";

let server: RestateServer;
let admin: AdminClient;
const endpoints: ServedEndpoint[] = [];

beforeAll(async () => {
  server = await startRestate();
  admin = createAdminClient({ baseUrl: server.adminUrl });
});
afterAll(async () => {
  await Promise.all(endpoints.map((e) => e.stop()));
  await server?.stop();
});

async function serve(...args: Parameters<typeof serveEndpoint>) {
  const endpoint = await serveEndpoint(...args);
  endpoints.push(endpoint);
  return endpoint;
}

async function call(service: string, handler: string): Promise<string> {
  const response = await fetch(`${server.ingressUrl}/${service}/${handler}`, { method: "POST" });
  expect(response.status).toBe(200);
  return (await response.json()) as string;
}

/** Starts `wait`, returns the invocation id and its awakeable once the invocation is suspended on it. */
async function startWaiting(service: string): Promise<{ invocation: string; awakeable: string }> {
  const before = awakeables.length;
  const response = await fetch(`${server.ingressUrl}/${service}/wait/send`, { method: "POST" });
  expect(response.status).toBe(202);
  const { invocationId } = (await response.json()) as { invocationId: string };
  await eventually(
    async () => awakeables.length,
    (n) => n > before,
  );
  await eventually(
    () => admin.query<{ status: string }>(`SELECT status FROM sys_invocation WHERE id = '${invocationId}'`),
    (rows) => rows[0]?.status === "suspended",
  );
  return { invocation: invocationId, awakeable: awakeables[before] as string };
}

async function resolve(awakeable: string, value: string) {
  const response = await fetch(`${server.ingressUrl}/restate/awakeables/${awakeable}/resolve`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(value),
  });
  expect(response.ok).toBe(true);
}

async function result(invocation: string): Promise<string | null> {
  const rows = await eventually(
    () =>
      admin.query<{ status: string; completion_result: string | null }>(
        `SELECT status, completion_result FROM sys_invocation WHERE id = '${invocation}'`,
      ),
    (r) => r[0]?.status === "completed",
  );
  return rows[0]?.completion_result ?? null;
}

async function statuses(): Promise<Map<string, string>> {
  return new Map((await admin.deployments.list()).map((d) => [d.id, d.status]));
}

describe("deployment status and prune", () => {
  it("keeps a deployment with a suspended invocation, removes it once the invocation completes", async () => {
    const v1 = await serve([versioned("Waiter", "v1")]);
    const first = await admin.deployments.register({ uri: v1.url });
    const waiting = await startWaiting("Waiter");
    const v2 = await serve([versioned("Waiter", "v2")]);
    const second = await admin.deployments.register({ uri: v2.url });
    expect(await call("Waiter", "version")).toBe("v2");

    let status = await statuses();
    expect(status.get(first.id)).toBe("draining");
    expect(status.get(second.id)).toBe("active");

    const kept = await prune(admin, { keep: 1 });
    expect(kept.removed).toEqual([]);
    expect(kept.kept.find((d) => d.id === first.id)).toMatchObject({ reason: "draining", boundInvocations: 1 });
    expect(kept.kept.find((d) => d.id === second.id)).toMatchObject({ reason: "active" });
    expect((await admin.deployments.list()).map((d) => d.id)).toContain(first.id);

    await resolve(waiting.awakeable, "approved");
    expect(await result(waiting.invocation)).toBe("success");
    status = await statuses();
    expect(status.get(first.id)).toBe("drained");

    // --keep 2 keeps the drained v1 as the second newest of Waiter; --keep 1 removes it.
    const withinKeep = await prune(admin, { keep: 2, dryRun: true });
    expect(withinKeep.kept.find((d) => d.id === first.id)?.reason).toBe("within_keep");
    const dry = await prune(admin, { keep: 1, dryRun: true });
    expect(dry.removed.map((d) => d.id)).toEqual([first.id]);
    expect((await admin.deployments.list()).map((d) => d.id)).toContain(first.id);

    const removed = await prune(admin, { keep: 1 });
    expect(removed.removed.map((d) => d.id)).toEqual([first.id]);
    expect(removed.orphaned).toEqual([]);
    await eventually(
      async () => (await admin.deployments.list()).map((d) => d.id),
      (ids) => !ids.includes(first.id) && ids.includes(second.id),
    );
    expect(await call("Waiter", "version")).toBe("v2");
  });

  it("re-checks right before each delete: an invocation bound after the plan keeps its deployment", async () => {
    const a = await serve([versioned("Racer", "a")]);
    const b = await serve([versioned("Racer", "b")]);
    const first = await admin.deployments.register({ uri: a.url });
    const second = await admin.deployments.register({ uri: b.url });
    const planned = await planPrune(admin, { keep: 1 });
    expect(planned.decisions.find((d) => d.id === first.id)).toMatchObject({ action: "remove", reason: "drained" });

    // Between plan and delete, another operator makes `a` latest again, an invocation starts (and is
    // pinned) on it, and `b` is made latest once more: `a` is superseded again but no longer drained.
    await admin.deployments.register({ uri: a.url }, { force: true });
    expect(await call("Racer", "version")).toBe("a");
    const waiting = await startWaiting("Racer");
    await admin.deployments.register({ uri: b.url }, { force: true });
    expect(await call("Racer", "version")).toBe("b");

    const report = await executePrune(admin, planned);
    expect(report.removed.map((d) => d.id)).not.toContain(first.id);
    expect(report.kept.find((d) => d.id === first.id)).toMatchObject({
      reason: "bound_at_recheck",
      boundInvocations: 1,
    });
    expect((await admin.deployments.list()).map((d) => d.id)).toContain(first.id);
    await resolve(waiting.awakeable, "kept");
    expect(await result(waiting.invocation)).toBe("success");
    const output = await admin.query<{ completion_result: string; status: string }>(
      `SELECT status, completion_result FROM sys_invocation WHERE id = '${waiting.invocation}'`,
    );
    expect(output[0]?.completion_result).toBe("success");

    // Made latest again between plan and delete: kept as active.
    const again = await planPrune(admin, { keep: 1 });
    expect(again.decisions.find((d) => d.id === first.id)?.action).toBe("remove");
    await admin.deployments.register({ uri: a.url }, { force: true });
    const second_report = await executePrune(admin, again);
    expect(second_report.kept.find((d) => d.id === first.id)?.reason).toBe("active_at_recheck");
    // Kept deployments are reported with the plan's reason.
    expect(second_report.kept.find((d) => d.id === second.id)?.reason).toBe("active");
    expect(second_report.removed).toEqual([]);
  });
  it("reports an invocation bound in the instant between the last check and the delete as orphaned", async () => {
    const a = await serve([versioned("Orphan", "a")]);
    const b = await serve([versioned("Orphan", "b")]);
    const first = await admin.deployments.register({ uri: a.url });
    await admin.deployments.register({ uri: b.url });
    const planned = await planPrune(admin, { keep: 1 });
    // A deployment registered while prune runs is not in its plan and is never touched.
    const c = await serve([versioned("Orphan", "c")]);
    const third = await admin.deployments.register({ uri: c.url });
    let waiting: { invocation: string; awakeable: string } | undefined;
    const report = await executePrune(admin, planned, {
      // The re-check has passed; now, before the delete, another operator binds an invocation to `a`.
      onProgress: async ({ deployment, phase }) => {
        if (deployment !== first.id || phase !== "removing") return;
        await admin.deployments.register({ uri: a.url }, { force: true });
        waiting = await startWaiting("Orphan");
        await admin.deployments.register({ uri: c.url }, { force: true });
      },
    });
    // (Drained deployments of earlier tests go too.)
    expect(report.removed.map((d) => d.id)).toContain(first.id);
    expect(report.orphaned).toEqual([{ deployment: first.id, invocations: [waiting?.invocation] }]);
    expect((await admin.deployments.list()).map((d) => d.id)).toContain(third.id);
    // What Restate 1.7 does with it: the invocation cannot run anywhere and backs off.
    const id = waiting?.invocation as string;
    await resolve(waiting?.awakeable as string, "late");
    await eventually(
      () =>
        admin.query<{ status: string; last_failure: string | null }>(
          `SELECT status, last_failure FROM sys_invocation WHERE id = '${id}'`,
        ),
      (rows) => rows[0]?.status === "backing-off" && /not found in the registry/.test(rows[0]?.last_failure ?? ""),
    );
    // Paused, then resumed on the latest deployment, it completes there (the revisions replay the same
    // journal). Resume without the pause is refused with 409.
    await admin.invocations.pause(id);
    await eventually(
      () => admin.query<{ status: string }>(`SELECT status FROM sys_invocation WHERE id = '${id}'`),
      (rows) => rows[0]?.status === "paused",
    );
    await admin.invocations.resume(id, { deployment: "latest" });
    const done = await eventually(
      () =>
        admin.query<{ status: string; completion_result: string; pinned_deployment_id: string }>(
          `SELECT status, completion_result, pinned_deployment_id FROM sys_invocation WHERE id = '${id}'`,
        ),
      (rows) => rows[0]?.status === "completed",
    );
    expect(done[0]).toMatchObject({ completion_result: "success", pinned_deployment_id: third.id });
  });
  it("lets two prunes run at once: a deployment the other removed first is reported, not an error", async () => {
    const a = await serve([versioned("TwoPrunes", "a")]);
    const b = await serve([versioned("TwoPrunes", "b")]);
    const first = await admin.deployments.register({ uri: a.url });
    await admin.deployments.register({ uri: b.url });
    const report = await executePrune(admin, await planPrune(admin, { keep: 1 }), {
      onProgress: async ({ deployment, phase }) => {
        if (deployment === first.id && phase === "removing") await admin.deployments.remove(first.id, { force: true });
      },
    });
    expect(report.kept.find((d) => d.id === first.id)).toMatchObject({ reason: "already_removed" });
    expect(report.removed.map((d) => d.id)).not.toContain(first.id);
  });

  it("names what it removed when it fails midway, and a second prune goes on", async () => {
    const ids: string[] = [];
    for (const version of ["1", "2", "3"]) {
      ids.push((await admin.deployments.register({ uri: (await serve([versioned("Cut", version)])).url })).id);
    }
    // A deployment removed, then a failure (here: the progress callback, e.g. a closed stdout).
    const error = await prune(admin, {
      keep: 1,
      onProgress: ({ phase }) => {
        if (phase === "removed") throw new Error("write EPIPE");
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PruneIncompleteError);
    const [gone] = (error as PruneIncompleteError).removed.map((d) => d.id);
    expect((error as Error).message).toBe(`stopped after removing ${gone}: write EPIPE`);
    const left = (await admin.deployments.list()).map((d) => d.id);
    expect(left).not.toContain(gone);
    await prune(admin, { keep: 1 });
    const remaining = (await admin.deployments.list()).map((d) => d.id);
    expect(ids.map((id) => remaining.includes(id))).toEqual([false, false, true]);
  });

  it("counts a running first attempt that is not pinned yet, which the CLI's and operator's query miss", async () => {
    const cliQuery = (id: string) =>
      admin.query<{ inv_count: number }>(
        `SELECT COUNT(1) AS inv_count FROM sys_invocation_status WHERE pinned_deployment_id = '${id}' AND status != 'completed'`,
      );
    const begin = async (service: string) => {
      const response = await fetch(`${server.ingressUrl}/${service}/start/send`, { method: "POST" });
      const { invocationId } = (await response.json()) as { invocationId: string };
      await eventually(
        async () => gates.has(service),
        (open) => open,
      );
      return invocationId;
    };

    const one = await admin.deployments.register({ uri: (await serve([slowStarter("Unpinned", "1")])).url });
    const started = await begin("Unpinned");
    await admin.deployments.register({ uri: (await serve([slowStarter("Unpinned", "2")])).url });
    expect((await cliQuery(one.id))[0]?.inv_count).toBe(0);
    expect((await statuses()).get(one.id)).toBe("draining");
    const kept = await prune(admin, { keep: 1 });
    expect(kept.kept.find((d) => d.id === one.id)?.reason).toBe("draining");
    gates.get("Unpinned")?.();
    expect(await result(started)).toBe("success");

    // What the narrower condition allows: removing the deployment while that attempt runs. Once the
    // attempt writes its first journal entry it is pinned to a deployment that no longer exists.
    const other = await admin.deployments.register({ uri: (await serve([slowStarter("Unpinned2", "1")])).url });
    const lost = await begin("Unpinned2");
    await admin.deployments.register({ uri: (await serve([slowStarter("Unpinned2", "2")])).url });
    expect((await cliQuery(other.id))[0]?.inv_count).toBe(0);
    await admin.deployments.remove(other.id, { force: true });
    gates.get("Unpinned2")?.();
    await eventually(
      () =>
        admin.query<{ status: string; last_failure: string | null }>(
          `SELECT status, last_failure FROM sys_invocation WHERE id = '${lost}'`,
        ),
      (rows) => rows[0]?.status === "backing-off" && /not found in the registry/.test(rows[0]?.last_failure ?? ""),
    );
    await admin.invocations.kill(lost);
  });
});

describe("rollback", () => {
  it("makes the earlier deployment serve new invocations again and restores the service settings", async () => {
    const one = await serve([versioned("Flip", "one")]);
    const two = await serve([versioned("Flip", "two")]);
    const first = await admin.deployments.register({ uri: one.url });
    const second = await admin.deployments.register({ uri: two.url });
    await admin.services.update("Flip", { public: true, idempotency_retention: "3h" });
    const waiting = await startWaiting("Flip");
    expect(await call("Flip", "version")).toBe("two");

    const dry = await rollback(admin, "Flip", { dryRun: true });
    expect(dry).toMatchObject({ from: { id: second.id }, to: { id: first.id }, services: ["Flip"], dryRun: true });
    expect(await call("Flip", "version")).toBe("two");

    const done = await rollback(admin, "Flip");
    expect(done.to.id).toBe(first.id);
    // Re-registration reset the retention to the deployment's default; rollback set it back.
    expect(done.restoredSettings.find((r) => r.service === "Flip")?.settings).toContain("idempotency_retention");
    expect(await call("Flip", "version")).toBe("one");
    const service = await admin.services.get("Flip");
    expect(service.deployment_id).toBe(first.id);
    expect(service.idempotency_retention).toMatch(/3h|3 hours|PT3H/i);
    expect((await statuses()).get(second.id)).toBe("draining");
    // --to picks the target; the deployment already serving is refused.
    expect((await rollback(admin, "Flip", { to: second.id, dryRun: true })).to.id).toBe(second.id);
    await expect(rollback(admin, "Flip", { to: first.id })).rejects.toThrow(/already serves Flip/);
    // The invocation pinned to the newer deployment still finishes there.
    await resolve(waiting.awakeable, "done");
    expect(await result(waiting.invocation)).toBe("success");
    expect((await statuses()).get(second.id)).toBe("drained");
  });

  it("refuses when there is nothing to go back to, or the old address now serves other code", async () => {
    const only = await serve([versioned("Single", "only")]);
    await admin.deployments.register({ uri: only.url });
    const none = await rollback(admin, "Single").catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RollbackRefusedError);
    expect((none as RollbackRefusedError).code).toBe("rollback_refused");
    expect((none as Error).message).toMatch(/no earlier deployment of Single/);

    const old = await serve([versioned("Moved", "old")]);
    const first = await admin.deployments.register({ uri: old.url });
    const next = await serve([versioned("Moved", "new")]);
    await admin.deployments.register({ uri: next.url });
    // New code is deployed in place at the old URL.
    await old.stop();
    await serve([rewritten("Moved")], { port: old.port });
    const moved = await rollback(admin, "Moved").catch((e: unknown) => e);
    expect(moved).toBeInstanceOf(RollbackRefusedError);
    expect((moved as Error).message).toMatch(/no longer serves what/);
    expect((await admin.services.get("Moved")).deployment_id).not.toBe(first.id);
    expect(await call("Moved", "version")).toBe("new");

    // The same handler names, declared differently (e.g. an alias URL now serving another build).
    const alias = await serve([versioned("Aliased", "old")]);
    await admin.deployments.register({ uri: alias.url });
    await admin.deployments.register({ uri: (await serve([versioned("Aliased", "new")])).url });
    await alias.stop();
    await serve([redeclared("Aliased")], { port: alias.port });
    await expect(rollback(admin, "Aliased")).rejects.toThrow(/the handler definitions of Aliased differ/);
    expect(await call("Aliased", "version")).toBe("new");
  });
  it("refuses when the earlier deployment also hosts a service that another deployment serves", async () => {
    const both = await serve([versioned("PairA", "1"), versioned("PairB", "1")]);
    const onlyA = await serve([versioned("PairA", "2")]);
    const onlyB = await serve([versioned("PairB", "2")]);
    const first = await admin.deployments.register({ uri: both.url });
    await admin.deployments.register({ uri: onlyA.url });
    // PairB is still served by the earlier deployment itself: re-registering it leaves PairB where it is.
    expect((await rollback(admin, "PairA", { dryRun: true })).services.sort()).toEqual(["PairA", "PairB"]);
    const bServer = await admin.deployments.register({ uri: onlyB.url });
    const refused = await rollback(admin, "PairA").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RollbackRefusedError);
    expect((refused as Error).message).toContain(`also hosts PairB, which is served by ${bServer.id}`);
    expect((await admin.services.get("PairA")).deployment_id).not.toBe(first.id);
    expect((await admin.services.get("PairB")).deployment_id).toBe(bServer.id);
  });
  it("refuses, changing nothing, when a deployment is registered while it runs", async () => {
    let armed = false;
    let theirs = "";
    const next = await serve([versioned("Raced", "next")]);
    const old = await serve([versioned("Raced", "old")], {
      // The rollback's discovery of the old address is the moment another pipeline registers.
      wrap: (handler) => (request, response) => {
        if (armed && request.url?.includes("discover")) {
          armed = false;
          void admin.deployments.register({ uri: next.url }, { force: true }).then((r) => {
            theirs = r.id;
            handler(request, response);
          });
          return;
        }
        handler(request, response);
      },
    });
    const first = await admin.deployments.register({ uri: old.url });
    const middle = await serve([versioned("Raced", "middle")]);
    await admin.deployments.register({ uri: middle.url });
    armed = true;
    const refused = await rollback(admin, "Raced").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RollbackRefusedError);
    expect((refused as Error).message).toMatch(/changed while the rollback was being checked/);
    expect((await admin.services.get("Raced")).deployment_id).toBe(theirs);
    expect((await admin.services.get("Raced")).deployment_id).not.toBe(first.id);
    expect(await call("Raced", "version")).toBe("next");
  });
});

describe("plan and apply", () => {
  it("registers, configures, is idempotent, rotates a header in place and never prints it", async () => {
    const endpoint = await serve([versioned("Planned", "p1")]);
    const env = { PLANNED_KEY: "s3cr3t-first-value-7f1c" };
    const document = {
      deployments: [{ uri: endpoint.url, headers: { "x-api-key": "${PLANNED_KEY}" } }],
      services: { Planned: { public: false, idempotencyRetention: "2h" } },
    };
    const first = await plan(admin, parseConfig(document, { env, source: "restate.yaml" }));
    expect(first.changes.map((c) => c.kind)).toEqual(["register_deployment", "update_service"]);
    expect(JSON.stringify(first)).not.toContain(env.PLANNED_KEY);
    const applied = await apply(admin, first);
    expect(applied.applied.map((c) => c.kind)).toEqual(["register_deployment", "update_service"]);
    const service = await admin.services.get("Planned");
    expect(service.public).toBe(false);
    const deployment = (await admin.deployments.list()).find((d) => d.id === service.deployment_id);
    expect(deployment?.additional_headers).toEqual({ "x-api-key": env.PLANNED_KEY });

    const second = await plan(admin, parseConfig(document, { env, source: "restate.yaml" }));
    expect(second.hasChanges).toBe(false);
    expect((await apply(admin, second)).applied).toEqual([]);

    const rotated = { PLANNED_KEY: "s3cr3t-second-value-09ab" };
    const rotation = await plan(admin, parseConfig(document, { env: rotated, source: "restate.yaml" }));
    expect(rotation.changes).toEqual([
      {
        kind: "update_deployment",
        id: service.deployment_id,
        address: deployment && "uri" in deployment ? deployment.uri : "",
        fields: [{ field: "headers.x-api-key", from: "(redacted)", to: "(redacted)" }],
      },
    ]);
    expect(JSON.stringify(rotation)).not.toMatch(/s3cr3t/);
    await apply(admin, rotation);
    const after = (await admin.deployments.list()).find((d) => d.id === service.deployment_id);
    expect(after?.additional_headers).toEqual({ "x-api-key": rotated.PLANNED_KEY });
    expect((await admin.services.get("Planned")).deployment_id).toBe(service.deployment_id);
  });

  it("stops without changing anything when a deployment was registered after the plan", async () => {
    const mine = await serve([versioned("Contended", "mine")]);
    const theirs = await serve([versioned("Contended", "theirs")]);
    const base = await serve([versioned("Contended", "base")]);
    await admin.deployments.register({ uri: base.url });
    const planned = await plan(admin, parseConfig({ deployments: [{ uri: mine.url }] }));
    expect(planned.changes.map((c) => c.kind)).toEqual(["register_deployment"]);
    const other = await admin.deployments.register({ uri: theirs.url });

    const stale = await apply(admin, planned).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(PlanStaleError);
    expect((stale as PlanStaleError).code).toBe("plan_stale");
    expect((await admin.services.get("Contended")).deployment_id).toBe(other.id);
    expect((await admin.deployments.list()).some((d) => "uri" in d && d.uri === new URL(mine.url).href)).toBe(false);
  });

  it("lets two pipelines apply the same configuration at once: the second finds it done", async () => {
    const endpoint = await serve([versioned("Twice", "t1")]);
    const base = await serve([versioned("Twice", "t0")]);
    await admin.deployments.register({ uri: base.url });
    const document = { deployments: [{ uri: endpoint.url }], services: { Twice: { public: false } } };
    const ours = await plan(admin, parseConfig(document));
    const theirs = await plan(admin, parseConfig(document));
    const first = await apply(admin, theirs);
    expect(first.applied.map((c) => c.kind)).toEqual(["register_deployment", "update_service"]);
    const second = await apply(admin, ours);
    expect(second.applied).toEqual([]);
    expect(second.alreadyDone.map((c) => c.kind)).toEqual(["register_deployment", "update_service"]);
    expect((await admin.services.get("Twice")).public).toBe(false);
  });

  it("sets service settings again after a concurrent registration reset them", async () => {
    const endpoint = await serve([versioned("Guarded", "g1")]);
    const document = { deployments: [{ uri: endpoint.url }], services: { Guarded: { public: false } } };
    await apply(admin, await plan(admin, parseConfig(document)));
    expect((await admin.services.get("Guarded")).public).toBe(false);

    const next = await serve([versioned("Guarded", "g2")]);
    await admin.deployments.register({ uri: next.url });
    // Restate 1.7 gives a newly registered revision the deployment's own settings: public is true again.
    expect((await admin.services.get("Guarded")).public).toBe(true);
    const again = await plan(admin, parseConfig(document));
    expect(again.changes).toEqual([
      { kind: "update_service", service: "Guarded", fields: [{ field: "public", from: true, to: false }] },
    ]);
    await apply(admin, again);
    expect((await admin.services.get("Guarded")).public).toBe(false);
    expect((await plan(admin, parseConfig(document))).hasChanges).toBe(false);
    // Restate refuses this setting for anything but a workflow, and with it the whole PATCH, every time.
    const wrongType = { services: { Guarded: { public: true, workflowCompletionRetention: "1d" } } };
    await expect(plan(admin, parseConfig(wrongType))).rejects.toMatchObject({
      code: "invalid_config",
      field: "services.Guarded.workflowCompletionRetention",
      message: "config: services.Guarded.workflowCompletionRetention: applies to workflows only; Guarded is a Service",
    });
  });

  it("creates subscriptions once, and keeps an HTTP/1.1 deployment unchanged on the next plan", async () => {
    // A Kafka cluster is configuration only: Restate stores it without connecting.
    const cluster = await fetch(`${server.adminUrl}/kafka-clusters`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "events", properties: { "bootstrap.servers": "127.0.0.1:9" } }),
    });
    expect(cluster.ok, await cluster.clone().text()).toBe(true);
    const endpoint = await serve([versioned("Subscribed", "s1")], { http1: true });
    const document = {
      deployments: [{ uri: endpoint.url, useHttp11: true }],
      subscriptions: [{ source: "kafka://events/orders", sink: "service://Subscribed/version" }],
    };
    const first = await plan(admin, parseConfig(document));
    expect(first.changes.map((c) => c.kind)).toEqual(["register_deployment", "create_subscription"]);
    await apply(admin, first);
    const subscriptions = await admin.subscriptions.list({ sink: "service://Subscribed/version" });
    expect(subscriptions.map((s) => s.source)).toEqual(["kafka://events/orders"]);
    const second = await plan(admin, parseConfig(document));
    expect(second.changes).toEqual([]);
    expect((await apply(admin, second)).applied).toEqual([]);
    expect(await admin.subscriptions.list({ sink: "service://Subscribed/version" })).toHaveLength(1);
    // Switching the registered deployment to HTTP/2 is an in-place update, planned as such.
    const switched = await plan(admin, parseConfig({ deployments: [{ uri: endpoint.url, useHttp11: false }] }));
    expect(switched.changes).toMatchObject([
      { kind: "update_deployment", fields: [{ field: "useHttp11", from: true, to: false }] },
    ]);
  });

  it("hides a value read from the environment wherever it appears, e.g. a token in the URL's query", async () => {
    const endpoint = await serve([versioned("Queried", "q1")]);
    const env = { BYPASS: "bypass-token-in-query-8c2e" };
    const document = { deployments: [{ uri: `${endpoint.url}/?x-bypass=\${BYPASS}` }] };
    const planned = await plan(admin, parseConfig(document, { env }));
    expect(planned.changes).toMatchObject([
      { kind: "register_deployment", address: `${endpoint.url}/?x-bypass=(redacted)` },
    ]);
    expect(JSON.stringify(planned)).not.toContain(env.BYPASS);
    const applied = await apply(admin, planned);
    expect(JSON.stringify(applied)).not.toContain(env.BYPASS);
    expect(await call("Queried", "version")).toBe("q1");
    expect((await plan(admin, parseConfig(document, { env }))).hasChanges).toBe(false);
    // Rotating the token: the same deployment to Restate, so registering would be a no-op; it is moved.
    const rotated = { BYPASS: "bypass-token-rotated-77d1" };
    const rotation = await plan(admin, parseConfig(document, { env: rotated }));
    const [registered] = (await admin.deployments.list()).filter((d) => d.services.some((s) => s.name === "Queried"));
    const hidden = `${new URL(endpoint.url).origin}/?(redacted)`;
    expect(rotation.changes).toEqual([
      {
        kind: "update_deployment",
        id: registered?.id,
        address: hidden,
        fields: [{ field: "uri", from: hidden, to: hidden }],
      },
    ]);
    expect(JSON.stringify(rotation)).not.toMatch(/bypass-token/);
    await apply(admin, rotation);
    expect(await admin.deployments.get(registered?.id as string)).toMatchObject({
      uri: `${endpoint.url}/?x-bypass=${rotated.BYPASS}`,
    });
    expect((await plan(admin, parseConfig(document, { env: rotated }))).hasChanges).toBe(false);
  });

  it("reports what a failed apply left applied, never with a secret from the URL, and converges after", async () => {
    const first = await serve([versioned("Midway1", "1")]);
    const second = await serve([versioned("Midway2", "2")]);
    const env = { TOKEN: "midway-query-token-51f0" };
    const document = { deployments: [{ uri: first.url }, { uri: `${second.url}/?t=\${TOKEN}` }] };
    const planned = await plan(admin, parseConfig(document, { env }));
    await second.stop();
    const error = await apply(admin, planned).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyIncompleteError);
    const incomplete = error as ApplyIncompleteError;
    expect(incomplete.applied).toMatchObject([{ kind: "register_deployment", address: first.url }]);
    expect(incomplete.message).toMatch(/stopped after 1 change\(s\) were applied .*\[api_error\]: .*\?t=\(redacted\)/);
    expect(`${incomplete.message} ${String(incomplete.stack)} ${JSON.stringify(incomplete)}`).not.toContain(env.TOKEN);
    await serve([versioned("Midway2", "2")], { port: second.port });
    const rest = await apply(admin, await plan(admin, parseConfig(document, { env })));
    expect(rest.applied.map((c) => c.kind)).toEqual(["register_deployment"]);
    expect((await plan(admin, parseConfig(document, { env }))).hasChanges).toBe(false);
  });

  it("refuses to register an entry that would take a service from a later, registered one", async () => {
    const v1 = await serve([versioned("Listed", "1")]);
    const v2 = await serve([versioned("Listed", "2")]);
    const document = { deployments: [{ uri: v1.url }, { uri: v2.url }] };
    await apply(admin, await plan(admin, parseConfig(document)));
    // v1 is drained and pruned, but the file still lists it: applying it again would roll back to it.
    const old = (await admin.deployments.list()).find(
      (d) => d.services.some((s) => s.name === "Listed") && d.status === "drained",
    );
    await admin.deployments.remove(old?.id as string, { force: true });
    await expect(plan(admin, parseConfig(document))).rejects.toMatchObject({
      code: "invalid_config",
      field: "deployments[0]",
      message: expect.stringMatching(/would make it serve Listed instead of deployments\[1\]/),
    });
    expect(await call("Listed", "version")).toBe("2");
    // Declared last, it is meant to serve.
    const moved = await plan(admin, parseConfig({ deployments: [{ uri: v2.url }, { uri: v1.url }] }));
    expect(moved.changes).toMatchObject([{ kind: "register_deployment", address: v1.url }]);
  });

  it("warns when a registered address now serves different code than Restate registered", async () => {
    const endpoint = await serve([versioned("InPlace", "1")]);
    const document = { deployments: [{ uri: endpoint.url }] };
    await apply(admin, await plan(admin, parseConfig(document)));
    expect((await plan(admin, parseConfig(document))).warnings).toEqual([]);
    // New code deployed in place at the same URL: Restate would not know without a forced registration.
    await endpoint.stop();
    await serve([rewritten("InPlace")], { port: endpoint.port });
    const drifted = await plan(admin, parseConfig(document));
    expect(drifted.changes).toEqual([]);
    expect(drifted.warnings).toHaveLength(1);
    expect(drifted.warnings[0]).toMatch(
      /serves different code than Restate registered \(the handlers of InPlace differ\)/,
    );
  });
});
