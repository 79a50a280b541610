import { createServer } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import {
  type LoopbackListener,
  listenOnLoopback,
  type RestateServer,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "@restate-connect/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { AdminApiError, type AdminClient, createAdminClient, DiscoveryError, type RetryEvent } from "../src/index.js";
import { greeterV1 } from "./services.js";

// Registration the way CI pipelines use it, against the real restate-server: discovery failures that
// retrying cannot fix, CI metadata, rotating headers in place, Google ID-token auth.
let server: RestateServer;
let admin: AdminClient;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startRestate();
  admin = createAdminClient({ baseUrl: server.adminUrl });
  await admin.waitUntilReady();
});
afterAll(async () => {
  for (const close of closers) await close();
  await server?.stop();
});

/** An HTTP/1.1 (or h2c) endpoint that answers every request with `status`, counting the requests. */
async function answering(status: number, http2 = false): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const handler = (_: unknown, response: { writeHead(s: number, h: object): { end(b: string): void } }) => {
    requests++;
    response.writeHead(status, { "content-type": "text/plain" }).end(`status ${status} from the test endpoint`);
  };
  const listener: LoopbackListener = await listenOnLoopback(
    http2 ? createHttp2Server(handler as never) : createServer(handler as never),
  );
  closers.push(() => listener.close());
  return { url: listener.url, requests: () => requests };
}

async function serve(...args: Parameters<typeof serveEndpoint>): Promise<ServedEndpoint> {
  const endpoint = await serveEndpoint(...args);
  closers.push(() => endpoint.stop());
  return endpoint;
}

function recordingClient() {
  const retries: RetryEvent[] = [];
  const client = createAdminClient({
    baseUrl: server.adminUrl,
    retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 100, budgetMs: 20_000 },
    onRetry: (event) => retries.push(event),
  });
  return { client, retries };
}

describe("a discovery that cannot succeed fails at once, naming the likely cause", () => {
  it.each([
    [401, "unauthorized", /request-identity key/],
    [403, "forbidden", /request-identity key|header/],
    [404, "not_found", /where the Restate SDK endpoint is mounted/],
    [415, "unsupported_media_type", /not a Restate SDK endpoint|discovery protocol/],
  ])("deployment answers %i", async (status, failure, hint) => {
    const endpoint = await answering(status);
    const { client, retries } = recordingClient();
    const error = (await client.deployments
      .register({ uri: endpoint.url }, { useHttp11: true })
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({
      code: "discovery_failed",
      retryable: false,
      failure,
      deploymentStatus: status,
      status: 500,
      restateCode: "META0003",
    });
    expect(error.hint).toMatch(hint);
    expect(error.message).toContain(`got status code '${status}`);
    expect(retries).toEqual([]);
    expect(endpoint.requests()).toBe(1);
  });

  it("an HTTP/1.1-only deployment discovered over HTTP/2 (META0014): register with --http1.1", async () => {
    const endpoint = await answering(200);
    const { client, retries } = recordingClient();
    const error = (await client.deployments.register({ uri: endpoint.url }).catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toMatchObject({ code: "discovery_failed", failure: "http1_only", restateCode: "META0014" });
    expect(error.hint).toContain("--http1.1");
    expect(retries).toEqual([]);
  });

  it("an HTTP/2-only deployment discovered over HTTP/1.1: register without --http1.1", async () => {
    const endpoint = await serve([greeterV1]);
    const { client, retries } = recordingClient();
    const error = (await client.deployments
      .register({ uri: endpoint.url }, { useHttp11: true })
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toMatchObject({ code: "discovery_failed", failure: "http2_only", restateCode: "META0003" });
    expect(error.hint).toContain("without --http1.1");
    expect(retries).toEqual([]);
  });

  it("keeps retrying what is transient: the deployment answering 503", async () => {
    const endpoint = await answering(503);
    const { client, retries } = recordingClient();
    const error = (await client.deployments
      .register({ uri: endpoint.url }, { useHttp11: true })
      .catch((e: unknown) => e)) as AdminApiError;
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ code: "api_error", status: 500, retryable: true });
    expect(retries.length).toBeGreaterThanOrEqual(1);
    // restate-server retries a 503 itself before answering; each of our attempts is one more discovery.
    expect(endpoint.requests()).toBeGreaterThan(retries.length);
  });

  it("never carries the secret headers Restate sends, even when the deployment echoes them back", async () => {
    const secret = "bypass-secret-5f2a9c71";
    const listener = await listenOnLoopback(
      createServer((request, response) => {
        response
          .writeHead(401, { "x-echo": String(request.headers["x-vercel-protection-bypass"]) })
          .end(`denied: x-vercel-protection-bypass=${request.headers["x-vercel-protection-bypass"]}`);
      }),
    );
    closers.push(() => listener.close());
    const { client } = recordingClient();
    const error = (await client.deployments
      .register(
        { uri: listener.url },
        { useHttp11: true, headers: { "x-vercel-protection-bypass": secret, "x-tenant": "acme" } },
      )
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toMatchObject({ code: "discovery_failed", failure: "unauthorized" });
    expect(error.serverMessage).toContain("[redacted]");
    for (const text of [error.message, error.serverMessage, JSON.stringify(error), String(error.stack)]) {
      expect(text).not.toContain(secret);
    }
  });

  it("the CLI prints the hint and the machine-readable failure", async () => {
    const endpoint = await answering(404);
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: { RESTATE_ADMIN_URL: server.adminUrl },
    };
    expect(await run(["register", endpoint.url, "--http1.1", "--json"], io)).toBe(1);
    expect(JSON.parse(out.join("\n"))).toMatchObject({
      error: { code: "discovery_failed", retryable: false, failure: "not_found", deployment_status: 404 },
    });
    expect(err.at(-1)).toMatch(
      /^restate-admin: error \[discovery_failed\]: POST \/v4\/deployments: .*likely cause: nothing at that path/,
    );
    expect(err.some((line) => line.startsWith("… attempt"))).toBe(false);
  });
});

describe("registration metadata from CI", () => {
  it("fills github.repository, github.actions.run.id and git.commit.sha from GITHUB_*, overridable", async () => {
    const endpoint = await serve([greeterV1]);
    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => undefined,
      env: {
        RESTATE_ADMIN_URL: server.adminUrl,
        GITHUB_REPOSITORY: "acme/greeter",
        GITHUB_RUN_ID: "4242",
        GITHUB_SHA: "0123456789abcdef",
        GITHUB_REF: "refs/heads/main",
      },
    };
    const argv = [
      "register",
      endpoint.url,
      "--force",
      "--metadata",
      "git.commit.sha=override",
      "--metadata",
      "team=payments",
      "--json",
    ];
    expect(await run(argv, io)).toBe(0);
    const { id } = JSON.parse(out.join("\n")) as { id: string };
    const stored = await admin.deployments.get(id);
    expect(stored.metadata).toEqual({
      "github.repository": "acme/greeter",
      "github.actions.run.id": "4242",
      "git.commit.sha": "override",
      team: "payments",
    });
    const other = await serve([greeterV1]);
    const none = await admin.deployments.register({ uri: other.url }, { force: true, ciEnvironment: {} });
    expect((await admin.deployments.get(none.id)).metadata ?? {}).toEqual({});
  });
});

describe("deployments update", () => {
  it("rotates the headers Restate sends without re-registering: same id, the new header on the next call", async () => {
    const seen: (string | undefined)[] = [];
    const endpoint = await serve([greeterV1], {
      wrap: (handler) => (request, response) => {
        seen.push(request.headers["x-api-key"] as string | undefined);
        handler(request, response);
      },
    });
    const registered = await admin.deployments.register(
      { uri: endpoint.url },
      { force: true, headers: { "x-api-key": "old-key-1" } },
    );
    const call = async () => {
      const response = await fetch(`${server.ingressUrl}/Greeter/greet`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify("ada"),
      });
      return response.text();
    };
    expect(await call()).toBe('"hello ada"');
    expect(seen.at(-1)).toBe("old-key-1");

    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => undefined,
      env: { RESTATE_ADMIN_URL: server.adminUrl },
    };
    expect(await run(["deployments", "update", registered.id, "--header", "x-api-key=new-key-2", "--json"], io)).toBe(
      0,
    );
    const printed = JSON.parse(out.join("\n")) as { id: string; additional_headers: Record<string, string> };
    expect(printed.id).toBe(registered.id);
    expect(printed.additional_headers).toEqual({ "x-api-key": "[redacted]" });
    expect(out.join("\n")).not.toContain("new-key-2");

    seen.length = 0;
    expect(await call()).toBe('"hello ada"');
    expect(seen).not.toContain("old-key-1");
    expect(seen.at(-1)).toBe("new-key-2");
    const stored = await admin.deployments.get(registered.id);
    expect(stored.additional_headers).toEqual({ "x-api-key": "new-key-2" });
    expect(stored.services.map((s) => s.name)).toEqual(["Greeter"]);

    const usage: string[] = [];
    const bad = { stdout: () => undefined, stderr: (t: string) => usage.push(t), env: io.env };
    expect(await run(["deployments", "update", registered.id], bad)).toBe(2);
    expect(usage.at(-1)).toContain("nothing to change");
  });
});

describe("deployments update with a key the deployment refuses", () => {
  it("fails at once as unauthorized and leaves the deployment as it was", async () => {
    const endpoint = await serve([greeterV1], {
      wrap: (handler) => (request, response) => {
        if (request.headers["x-api-key"] !== "right-key-7") {
          // HTTP/2 and HTTP/1.1 responses both have writeHead/end, with signatures TypeScript cannot unite.
          (response as unknown as { writeHead(status: number): { end(body: string): void } })
            .writeHead(401)
            .end("unknown api key");
          return;
        }
        handler(request, response);
      },
    });
    const registered = await admin.deployments.register(
      { uri: endpoint.url },
      { force: true, headers: { "x-api-key": "right-key-7" } },
    );
    const { client, retries } = recordingClient();
    const error = (await client.deployments
      .update(registered.id, { additional_headers: { "x-api-key": "wrong-key-8" } })
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error).toMatchObject({ code: "discovery_failed", failure: "unauthorized", deploymentStatus: 401 });
    expect(error.message).not.toContain("wrong-key-8");
    expect(retries).toEqual([]);
    expect((await admin.deployments.get(registered.id)).additional_headers).toEqual({ "x-api-key": "right-key-7" });
  });
});

describe("Google ID-token auth (admin API v4)", () => {
  it("is sent as the server's GoogleIdToken auth: restate-server tries to mint the token for that audience", async () => {
    const endpoint = await serve([greeterV1]);
    const client = createAdminClient({ baseUrl: server.adminUrl, retry: false });
    const error = (await client.deployments
      .register(
        { uri: endpoint.url.replace("127.0.0.1", "localhost") },
        { googleIdToken: { audience: "https://greeter.example.run.app" } },
      )
      .catch((e: unknown) => e)) as AdminApiError;
    // No Google credentials on this machine: the server fails to mint, which proves it read our `auth`.
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error.serverMessage).toMatch(/minting GCP ID token/);
    expect(error.serverMessage).toContain("audience 'https://greeter.example.run.app'");
  });
});
