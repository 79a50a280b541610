import {
  eventually,
  type RestateServer,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiError, type AdminClient, createAdminClient } from "../src/index.js";
import { counter, greeterV1, greeterV2 } from "./services.js";

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

async function invocationStatus(id: string) {
  const rows = await admin.query<{
    status: string;
    completion_result: string | null;
    completion_failure: string | null;
  }>(`SELECT status, completion_result, completion_failure FROM sys_invocation WHERE id = '${id}'`);
  return rows[0];
}

async function startSlow(): Promise<string> {
  const response = await fetch(`${server.ingressUrl}/Greeter/slow/send`, { method: "POST" });
  expect(response.status).toBe(202);
  const { invocationId } = (await response.json()) as { invocationId: string };
  await eventually(
    () => invocationStatus(invocationId),
    (row) => row?.status === "suspended" || row?.status === "running",
  );
  return invocationId;
}

describe("against restate-server", () => {
  it("negotiates the highest admin API version both sides support", async () => {
    const info = await admin.version();
    expect(info.max_admin_api_version).toBe(4);
    expect(await admin.apiVersion()).toBe(4);
  });

  it("registers, lists, updates services, manages invocations and removes the deployment", async () => {
    const endpoint = await serve([greeterV1]);
    const registered = await admin.deployments.register({ uri: endpoint.url });
    expect(registered.created).toBe(true);
    expect(registered.services.map((s) => s.name)).toEqual(["Greeter"]);

    // Registering the unchanged deployment again is accepted (that is why registration is retried).
    const again = await admin.deployments.register({ uri: endpoint.url });
    expect(again).toMatchObject({ id: registered.id, created: false });

    const list = await admin.deployments.list();
    expect(list.map((d) => d.id)).toContain(registered.id);
    const detail = await admin.deployments.get(registered.id);
    expect(detail.id).toBe(registered.id);
    expect((detail as { uri?: string }).uri).toBe(new URL(endpoint.url).href);
    const changed = await admin.deployments.update(registered.id, { additional_headers: { "x-platform-key": "k1" } });
    expect((changed as { additional_headers?: Record<string, string> }).additional_headers).toEqual({
      "x-platform-key": "k1",
    });
    const rereadDeployment = await admin.deployments.get(registered.id);
    expect((rereadDeployment as { additional_headers?: Record<string, string> }).additional_headers).toEqual({
      "x-platform-key": "k1",
    });

    const service = await admin.services.get("Greeter");
    expect(service.public).toBe(true);
    expect((await admin.services.list()).map((s) => s.name)).toContain("Greeter");
    expect((await admin.services.handlers("Greeter")).map((h) => h.name).sort()).toEqual(["greet", "slow"]);
    expect((await admin.services.handler("Greeter", "greet")).name).toBe("greet");
    const openapi = await admin.services.openapi("Greeter");
    expect(Object.keys(openapi.paths as object)).toContain("/restate/call/Greeter/greet");

    const updated = await admin.services.update("Greeter", { public: false, idempotency_retention: "2h" });
    expect(updated.public).toBe(false);
    const reread = await admin.services.get("Greeter");
    expect(reread.public).toBe(false);
    expect(reread.idempotency_retention).toMatch(/2h|2 hours|PT2H/i);
    const privateCall = await fetch(`${server.ingressUrl}/Greeter/greet`, {
      method: "POST",
      body: '"x"',
      headers: { "content-type": "application/json" },
    });
    expect(privateCall.status).toBeGreaterThanOrEqual(400);
    await admin.services.update("Greeter", { public: true });

    const cancelled = await startSlow();
    await admin.invocations.cancel(cancelled);
    const afterCancel = await eventually(
      () => invocationStatus(cancelled),
      (row) => row?.status === "completed",
    );
    expect(afterCancel?.completion_result).toBe("failure");
    expect(afterCancel?.completion_failure).toMatch(/cancel/i);

    const killed = await startSlow();
    await admin.invocations.kill(killed);
    const afterKill = await eventually(
      () => invocationStatus(killed),
      (row) => row?.status === "completed",
    );
    expect(afterKill?.completion_result).toBe("failure");

    await admin.invocations.purge(cancelled);
    await eventually(
      () => invocationStatus(cancelled),
      (row) => row === undefined,
    );

    // Removing a deployment that still serves services needs force.
    await expect(admin.deployments.remove(registered.id)).rejects.toBeInstanceOf(AdminApiError);
    await admin.deployments.remove(registered.id, { force: true });
    expect((await admin.deployments.list()).map((d) => d.id)).not.toContain(registered.id);
  });

  it("pauses, resumes and restarts invocations, and manages subscriptions", async () => {
    const endpoint = await serve([greeterV1]);
    await admin.deployments.register({ uri: endpoint.url }, { force: true });

    const sleeping = await startSlow();
    await admin.invocations.pause(sleeping);
    await eventually(
      () => invocationStatus(sleeping),
      (row) => row?.status === "paused",
    );
    await admin.invocations.resume(sleeping);
    await eventually(
      () => invocationStatus(sleeping),
      (row) => row?.status === "suspended" || row?.status === "running",
    );
    await admin.invocations.kill(sleeping);

    const send = await fetch(`${server.ingressUrl}/Greeter/greet/send`, {
      method: "POST",
      body: JSON.stringify("again"),
      headers: { "content-type": "application/json" },
    });
    const { invocationId } = (await send.json()) as { invocationId: string };
    await eventually(
      () => invocationStatus(invocationId),
      (row) => row?.status === "completed",
    );
    const restarted = await admin.invocations.restartAsNew(invocationId);
    expect(restarted.new_invocation_id).toMatch(/^inv_/);
    expect(restarted.new_invocation_id).not.toBe(invocationId);
    const again = await eventually(
      () => invocationStatus(restarted.new_invocation_id),
      (row) => row?.status === "completed",
    );
    expect(again?.completion_result).toBe("success");

    expect(await admin.subscriptions.list()).toEqual([]);
    const noKafka = await admin.subscriptions
      .create({ source: "kafka://missing-cluster/orders", sink: "service://Greeter/greet" })
      .catch((e: unknown) => e);
    expect(noKafka).toBeInstanceOf(AdminApiError);
    expect((noKafka as AdminApiError).status).toBeGreaterThanOrEqual(400);
    expect((noKafka as AdminApiError).status).toBeLessThan(500);
    expect((noKafka as AdminApiError).serverMessage).toMatch(/missing-cluster|kafka/i);
  });

  it("surfaces the server's conflict for a breaking change, honours breaking/force, and dryRun changes nothing", async () => {
    const v1 = await serve([greeterV1]);
    const v2 = await serve([greeterV2]);
    await admin.deployments.register({ uri: v1.url }, { force: true });

    const conflict = await admin.deployments.register({ uri: v2.url }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(AdminApiError);
    const apiError = conflict as AdminApiError;
    expect(apiError.status).toBe(409);
    expect(apiError.retryable).toBe(false);
    expect(apiError.restateCode).toBe("META0006");
    expect(apiError.serverMessage).toMatch(/service type/);
    expect((await admin.services.get("Greeter")).ty).toBe("Service");

    const dry = await admin.deployments.register({ uri: v2.url }, { breaking: true, dryRun: true });
    expect(dry.services.map((s) => s.ty)).toEqual(["VirtualObject"]);
    expect((await admin.services.get("Greeter")).ty).toBe("Service");
    const uris = (await admin.deployments.list()).map((d) => (d as { uri?: string }).uri);
    expect(uris).toContain(new URL(v1.url).href);
    expect(uris).not.toContain(new URL(v2.url).href);

    const breaking = await admin.deployments.register({ uri: v2.url }, { breaking: true });
    expect(breaking.created).toBe(true);
    expect((await admin.services.get("Greeter")).ty).toBe("VirtualObject");

    const forced = await admin.deployments.register({ uri: v1.url }, { force: true });
    expect(forced.services.map((s) => s.ty)).toEqual(["Service"]);
    expect((await admin.services.get("Greeter")).ty).toBe("Service");
  });

  it("replaces an object's state with modifyState, and a stale version is accepted and never applied", async () => {
    const endpoint = await serve([counter]);
    await admin.deployments.register({ uri: endpoint.url }, { force: true });
    const add = (amount: number) =>
      fetch(`${server.ingressUrl}/Counter/ada/add`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(amount),
      });
    expect(await (await add(2)).json()).toBe(2);
    const readCount = async () =>
      (
        await admin.query<{ value_utf8: string }>(
          "SELECT value_utf8 FROM state WHERE service_name = 'Counter' AND service_key = 'ada' AND key = 'count'",
        )
      )[0]?.value_utf8;
    await admin.services.modifyState("Counter", {
      objectKey: "ada",
      newState: { count: new TextEncoder().encode("40") },
    });
    await eventually(readCount, (value) => value === "40");
    expect(await (await add(2)).json()).toBe(42);
    const stale = await admin.services
      .modifyState("Counter", {
        objectKey: "ada",
        newState: { count: new TextEncoder().encode("0") },
        version: "not-the-current-version",
      })
      .then(
        () => "accepted",
        (e: unknown) => (e instanceof AdminApiError ? `refused ${e.status} ${e.restateCode}` : String(e)),
      );
    // Restate accepts the change (202) and drops it when it applies it: the version no longer
    // matches. Callers must read the state back to learn whether their change took effect.
    expect(stale).toBe("accepted");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await readCount()).toBe("42");
  });
});
