import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/cli/duration.js";
import { run } from "../src/cli/run.js";
import { renderTable } from "../src/cli/table.js";

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env }, out, err };
}

/** An admin URL where nothing listens: commands that get past parsing fail with exit 1, never hang. */
const DEAD = { RESTATE_ADMIN_URL: "http://127.0.0.1:9", RESTATE_AUTH_TOKEN: "tok-cli-unit-5ae1" };

describe("restate-admin command line", () => {
  it("lists every command in --help and prints the version", async () => {
    const help = capture();
    expect(await run(["--help"], help.io)).toBe(0);
    for (const command of [
      "register <url|arn>",
      "deployments list",
      "services list",
      "services show <name>",
      "invocation kill <id>",
      'query "<sql>"',
      "health",
    ]) {
      expect(help.out[0]).toContain(command);
    }
    expect(help.out[0]).toContain("RESTATE_AUTH_TOKEN");
    const version = capture();
    expect(await run(["--version"], version.io)).toBe(0);
    expect(version.out).toEqual(["0.0.0-dev"]);
  });

  it("documents aliases: deployments is deployments list, service is services show", async () => {
    const c = capture();
    expect(await run(["deployments", "--help"], c.io)).toBe(0);
    expect(c.out[0]).toContain("Usage: restate-admin deployments list");
    expect(c.out[0]).toContain("--show-secrets");
    const s = capture();
    expect(await run(["help", "service"], s.io)).toBe(0);
    expect(s.out[0]).toContain("Usage: restate-admin services show <name>");
  });

  it.each([
    [[], "missing_command"],
    [["frobnicate"], "unknown_command"],
    [["register"], "missing_argument"],
    [["services", "extra"], "unexpected_argument"],
    [["invocation", "stop", "inv_1"], "unknown_command"],
    [["services", "--force"], "unknown_option"],
    [["register", "http://a.test", "--header", "novalue"], "invalid_option"],
    [["register", "http://a.test", "--header", "bad name=x"], "invalid_option"],
    [["register", "http://a.test", "--assume-role-arn", "arn:aws:iam::1:role/r"], "invalid_option"],
    [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--http1.1"], "invalid_option"],
    [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--assume-role-arn", "x"], "invalid_option"],
    [["register", "http://a.test", "--wait-ready", "later"], "invalid_option"],
    [["register", "ftp://a.test"], "invalid_option"],
    [["health", "--timeout", "0s"], "invalid_option"],
    [["health", "--url", "localhost:9070"], "invalid_option"],
    [["health", "--url", "http://a.test,ftp://b.test"], "invalid_option"],
    [["register", "http://localhost:9080", "--tunnel-name", "laptop"], "invalid_option"],
    [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--tunnel-name", "laptop"], "invalid_option"],
    [["register", "http://a.test", "--metadata", "novalue"], "invalid_option"],
    [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--gcp-id-token"], "invalid_option"],
    [["register", "http://a.test", "--gcp-impersonate-service-account", "not-an-email"], "invalid_option"],
    [["deployments", "update", "dp_1"], "missing_option"],
    [["deployments", "update", "dp_1", "--header", "a=1", "--clear-headers"], "conflicting_options"],
    [
      ["deployments", "update", "dp_1", "--assume-role-arn", "arn:aws:iam::123456789012:role/r", "--uri", "http://a"],
      "conflicting_options",
    ],
    [["health", "--url", "http://a.test", "--url", "http://a.test"], "invalid_option"],
  ])("%j is a usage error (exit 2) with one error line", async (argv, code) => {
    const c = capture(DEAD);
    expect(await run(argv, c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(new RegExp(`^restate-admin: error \\[${code}\\]: `));
  });

  it("names the flag at fault", async () => {
    const cases: [string[], string][] = [
      [["register", "http://a.test", "--header", "novalue"], "--header"],
      [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--assume-role-arn", "x"], "--assume-role-arn"],
      [["register", "http://a.test", "--wait-ready", "later"], "--wait-ready"],
      [["health", "--timeout", "soon"], "--timeout"],
      [["health", "--timeout", "1000h"], "--timeout"],
      [["register", "http://a.test", "--wait-ready", "600h"], "--wait-ready"],
      [["health", "--url", "ftp://a"], "--url"],
      [["register", "ftp://a.test"], "<url|arn>"],
      [["services", "--jsn"], "did you mean --json"],
      [
        ["register", "http://localhost:9080", "--tunnel-name", "laptop"],
        "--tunnel-name needs a Restate Cloud admin URL",
      ],
      [["register", "http://a.test", "--gcp-audience", "a b"], "--gcp-audience"],
      [["register", "http://a.test", "--metadata", "x"], "--metadata"],
      [
        ["deployments", "update", "dp_1", "--header", "bad name=x"],
        "--header expects name=value: a header name is not valid",
      ],
      [["deployments", "update", "dp_1", "--assume-role-arn", "role"], "--assume-role-arn"],
    ];
    for (const [argv, flag] of cases) {
      const c = capture(DEAD);
      await run(argv, c.io);
      expect(c.err.at(-1), argv.join(" ")).toContain(flag);
    }
  });

  it("takes several admin URLs from --url (repeated, comma-separated) or RESTATE_ADMIN_URL", async () => {
    const flags = capture(DEAD);
    expect(
      await run(["health", "--url", "http://127.0.0.1:9,http://127.0.0.1:7", "--url", "http://127.0.0.1:11"], flags.io),
    ).toBe(1);
    const tried = flags.err.filter((line) => line.startsWith("… attempt"));
    expect(tried[0]).toMatch(/^… attempt 1 failed at http:\/\/127\.0\.0\.1:9: .*; trying http:\/\/127\.0\.0\.1:7$/);
    expect(tried[1]).toMatch(/^… attempt 2 failed at http:\/\/127\.0\.0\.1:7: .*; trying http:\/\/127\.0\.0\.1:11$/);
    const env = capture({ RESTATE_ADMIN_URL: "http://127.0.0.1:9, http://127.0.0.1:7" });
    expect(await run(["health", "--timeout", "1s"], env.io)).toBe(1);
    expect(env.err.find((line) => line.startsWith("… attempt 1"))).toContain("trying http://127.0.0.1:7");
    const bad = capture({ RESTATE_ADMIN_URL: "http://127.0.0.1:9,nope" });
    expect(await run(["health"], bad.io)).toBe(2);
    expect(bad.err.at(-1)).toBe(
      'restate-admin: error [invalid_option]: RESTATE_ADMIN_URL "nope" is not valid: not an absolute URL',
    );
  });

  it("warns about a secret header value on argv and never prints it, also in a malformed pair", async () => {
    const c = capture(DEAD);
    const args = ["register", "http://s.test", "--header", "x-api-key=hdrsecret1", "--header", "x-tenant=t1", "--json"];
    expect(await run([...args, "--timeout", "1s"], c.io)).toBe(1);
    expect(c.err.filter((line) => line.includes("warning"))).toEqual([
      expect.stringMatching(/^restate-admin: warning: --header x-api-key: a secret on the command line/),
    ]);
    const plain = capture(DEAD);
    await run(["register", "http://s.test", "--header", "x-tenant=t1", "--timeout", "1s"], plain.io);
    expect(plain.err.join("\n")).not.toContain("warning");
    const colon = capture(DEAD);
    expect(await run(["register", "http://s.test", "--header", "x-api-key:hdrsecret1", "--json"], colon.io)).toBe(2);
    expect(colon.err.at(-1)).toMatch(/--header expects name=value/);
    expect([...c.out, ...c.err, ...colon.out, ...colon.err].join("\n")).not.toContain("hdrsecret1");
  });

  it("warns when the token would go over plain http to another machine", async () => {
    const remote = capture({ RESTATE_AUTH_TOKEN: "tok-plain-9f2c" });
    await run(["health", "--url", "http://127.0.0.1:9,http://192.0.2.1:9070", "--timeout", "200ms"], remote.io);
    expect(remote.err.filter((line) => line.includes("warning"))).toEqual([
      expect.stringMatching(/warning: the token goes to 192\.0\.2\.1:9070 over plain http/),
    ]);
    const cases: Record<string, string>[] = [
      { RESTATE_AUTH_TOKEN: "tok-plain-9f2c" },
      { RESTATE_ADMIN_URL: "http://192.0.2.1:9070" },
    ];
    for (const env of cases) {
      const quiet = capture({ RESTATE_ADMIN_URL: "http://localhost:9", ...env });
      await run(["health", "--timeout", "200ms"], quiet.io);
      expect(quiet.err.join("\n")).not.toContain("warning");
    }
    expect(remote.err.join("\n")).not.toContain("tok-plain-9f2c");
  });

  it("names RESTATE_AUTH_TOKEN or --token for a token that cannot be sent, never showing it", async () => {
    const env = capture({ RESTATE_ADMIN_URL: "http://127.0.0.1:9", RESTATE_AUTH_TOKEN: "tok3nvalue\n" });
    expect(await run(["health", "--json"], env.io)).toBe(2);
    expect(env.err.at(-1)).toMatch(/error \[invalid_option\]: RESTATE_AUTH_TOKEN must be printable/);
    const flag = capture({ RESTATE_ADMIN_URL: "http://127.0.0.1:9" });
    expect(await run(["health", "--token", "tok3nvalue\u0000"], flag.io)).toBe(2);
    expect(flag.err.at(-1)).toMatch(/error \[invalid_option\]: --token must be printable/);
    expect([...env.out, ...env.err, ...flag.err].join("\n")).not.toContain("tok3nvalue");
  });

  it("never echoes credentials, a query or token-like text given as an admin URL", async () => {
    const secrets = ["hunter2pw", "s3cr3tq", "Zk9qYXBhc3N3b3JkLXRva2VuLTEyMzQ1"];
    for (const url of [
      "http://admin:hunter2pw@127.0.0.1:9",
      "http://127.0.0.1:9/?token=s3cr3tq",
      secrets[2] as string,
    ]) {
      const flag = capture();
      expect(await run(["health", "--json", "--url", url], flag.io)).toBe(2);
      expect(flag.err.at(-1)).toMatch(/^restate-admin: error \[invalid_option\]: --url /);
      const env = capture({ RESTATE_ADMIN_URL: `http://127.0.0.1:7,${url}` });
      expect(await run(["services", "--json"], env.io)).toBe(2);
      expect(JSON.parse(env.out.join(""))).toMatchObject({ error: { code: "invalid_option" } });
      const printed = [...flag.out, ...flag.err, ...env.out, ...env.err].join("\n");
      for (const secret of secrets) expect(printed).not.toContain(secret);
    }
  });

  it("prints a JSON error on stdout with --json, snake_case code and retryable, never the token", async () => {
    const c = capture(DEAD);
    expect(await run(["services", "--json", "--timeout", "2s"], c.io)).toBe(1);
    const { error } = JSON.parse(c.out.join("\n")) as { error: { code: string; retryable: boolean } };
    expect(error).toMatchObject({ code: "network_error", retryable: true });
    expect(c.err.at(-1)).toMatch(/^restate-admin: error \[network_error\]: GET \/version failed/);
    expect([...c.out, ...c.err].join("\n")).not.toContain(DEAD.RESTATE_AUTH_TOKEN);
    expect(c.err.some((line) => /^… attempt 1 failed: .*retrying in \d+ ms$/.test(line))).toBe(true);
  });

  it("warns when the token is on argv and still uses it", async () => {
    const c = capture({ RESTATE_ADMIN_URL: DEAD.RESTATE_ADMIN_URL });
    await run(["health", "--token", "tok-on-argv-77", "--timeout", "1s"], c.io);
    expect(c.err[0]).toBe(
      "restate-admin: warning: --token on the command line is visible in process lists and shell history; prefer RESTATE_AUTH_TOKEN",
    );
    expect(c.err.join("\n")).not.toContain("tok-on-argv-77");
  });
});

describe("parseDuration", () => {
  it("accepts ms/s/m/h and bare seconds", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("60s")).toBe(60_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("10")).toBe(10_000);
    for (const bad of ["", "s", "-1s", "1d", "0", "1 s s"]) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe("renderTable", () => {
  it("aligns columns, upper-cases headers and shows missing values as -", () => {
    expect(
      renderTable(
        ["name", "public"],
        [
          ["Greeter", true],
          ["X", null],
        ],
      ),
    ).toBe(["NAME     PUBLIC", "Greeter  true", "X        -"].join("\n"));
  });

  it("shows control characters from the server as escapes, never as terminal sequences", () => {
    const table = renderTable(["name"], [["Evil\u001b[2J\u009b31m\u202ex\u0007"]]);
    expect(table).toBe("NAME\nEvil\\u001b[2J\\u009b31m\\u202ex\\u0007");
  });
});
