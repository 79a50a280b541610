import { createServer } from "node:http";
import { type LoopbackListener, listenOnLoopback } from "@restate-connect/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";

// Any command line, against a real loopback admin API that refuses everything with a 400 (fast, not
// retried): the exit code is 0, 1 or 2; with --json stdout is JSON, also on failure; a failure ends
// with exactly one error line; and the secrets given with --token, --header, in a --url or in
// RESTATE_AUTH_TOKEN are never printed.
const SECRET = "S3cr3t/+Value=42";
let server: LoopbackListener;

beforeAll(async () => {
  server = await listenOnLoopback(
    createServer((request, response) => {
      if (request.url === "/version") {
        response.writeHead(200, { "content-type": "application/json" });
        return response.end('{"version":"1.7.12","min_admin_api_version":2,"max_admin_api_version":4}');
      }
      response.writeHead(400, { "content-type": "application/json" }).end('{"message":"refused"}');
    }),
  );
});
afterAll(() => server?.close());

const commands = fc.constantFrom(
  ["register"],
  ["register", "http://s.test:9080"],
  ["deployments", "update", "dp_1"],
  ["deployments"],
  ["deployments", "list"],
  ["deployments", "update"],
  ["services"],
  ["services", "show"],
  ["invocation", "kill"],
  ["invocation", "purge"],
  ["query"],
  ["health"],
  ["help"],
  ["frobnicate"],
  [],
);
const positionals = fc.array(fc.constantFrom("dp_1", "http://s.test:9080", "SELECT 1", "inv_1", "Greeter", "x"), {
  maxLength: 2,
});
const flags = fc.array(
  fc.constantFrom(
    ["--token", SECRET],
    ["--header", `x-api-key=${SECRET}`],
    ["--header", `x-api-key:${SECRET}`],
    ["--header", SECRET],
    ["--url", "URL"],
    ["--url", `http://admin:${encodeURIComponent(SECRET)}@127.0.0.1:9`],
    ["--url", `http://127.0.0.1:9/?token=${encodeURIComponent(SECRET)}`],
    ["--timeout", "2s"],
    ["--timeout", "0s"],
    ["--json"],
    ["--force"],
    ["--show-secrets"],
    ["--metadata", "a=b"],
    ["--uri", "http://s.test"],
    ["--wait-ready", "1s"],
    ["--tunnel-name", "laptop"],
    ["--bogus"],
    ["--help"],
    ["--version"],
  ),
  { maxLength: 4 },
);

describe("restate-admin, any command line", () => {
  it("exits 0/1/2, prints JSON with --json, one error line on failure, and never a secret", async () => {
    await fc.assert(
      fc.asyncProperty(commands, positionals, flags, fc.boolean(), async (command, args, pairs, tokenInEnv) => {
        const argv = [...command, ...args, ...pairs.flat()].map((word) => (word === "URL" ? server.url : word));
        const out: string[] = [];
        const err: string[] = [];
        const env = { RESTATE_ADMIN_URL: server.url, ...(tokenInEnv ? { RESTATE_AUTH_TOKEN: SECRET } : {}) };
        const code = await run(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
        expect([0, 1, 2]).toContain(code);
        const printed = [...out, ...err].join("\n");
        // Not even a part: `x-api-key:<secret>` (a colon for the `=`) must not show the secret as a "name".
        for (let i = 0; i + 6 <= SECRET.length; i++) expect(printed).not.toContain(SECRET.slice(i, i + 6));
        expect(printed).not.toContain(encodeURIComponent(SECRET));
        const informational = argv.some((a) => a === "--help" || a === "--version") || command[0] === "help";
        if (code !== 0) {
          expect(err.filter((line) => line.startsWith("restate-admin: error ["))).toHaveLength(1);
          expect(err.at(-1)).toMatch(/^restate-admin: error \[[a-z][a-z0-9_]*\]: /);
        }
        if (argv.includes("--json") && !informational) {
          const json = JSON.parse(out.join("\n")) as { error?: { code: string } };
          if (code !== 0) expect(json.error?.code).toMatch(/^[a-z][a-z0-9_]*$/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
