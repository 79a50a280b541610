import { describe, expect, it } from "vitest";
import { type CliSpec, CliUsageError, invalidFlag, parseFlag, runCli, secretFrom } from "../src/index.ts";

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env }, out, err };
}

const spec: CliSpec = {
  name: "demo-cli",
  version: "1.2.3",
  summary: "a CLI for the kit's tests",
  globalOptions: { url: { type: "string", value: "<url>", description: "Where" } },
  commands: [
    {
      name: "greet",
      usage: "<name>",
      summary: "Say hello",
      args: { min: 1, max: 1 },
      options: {
        loud: { type: "boolean", description: "Shout" },
        "local-key": { type: "string", multiple: true, description: "A key" },
        token: { type: "string", description: "A secret" },
      },
      run(ctx) {
        const name = ctx.args[0] as string;
        const token = secretFrom(ctx, "token", "DEMO_TOKEN");
        ctx.print(() => (ctx.flags.boolean("loud") ? `HELLO ${name.toUpperCase()}` : `hello ${name}`), {
          name,
          keys: ctx.flags.strings("local-key").length,
          url: ctx.flags.string("url") ?? null,
          token: !!token,
        });
        return undefined;
      },
    },
    {
      name: "things list",
      aliases: ["things"],
      summary: "List things",
      options: { limit: { type: "string", description: "How many" } },
      run(ctx) {
        const limit = parseFlag("limit", () => {
          const n = Number(ctx.flags.string("limit") ?? "1");
          if (!Number.isInteger(n) || n < 1) throw new RangeError("limit must be a positive integer");
          return n;
        });
        ctx.print(() => `listing ${limit}`, { limit });
        return undefined;
      },
    },
    {
      name: "things fail",
      summary: "Fails like a library",
      run() {
        throw Object.assign(new Error("the server said no"), { code: "api_error", retryable: true });
      },
    },
    {
      name: "refuse",
      summary: "Refuses with exit 1",
      run: () => {
        throw invalidFlag("url", "must be https");
      },
    },
  ],
};

describe("runCli", () => {
  it("prints the version and the help, exit 0", async () => {
    for (const argv of [["--version"], ["greet", "--version"]]) {
      const c = capture();
      expect(await runCli(spec, argv, c.io)).toBe(0);
      expect(c.out).toEqual(["1.2.3"]);
    }
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const c = capture();
      expect(await runCli(spec, argv, c.io)).toBe(0);
      expect(c.out[0]).toContain("Usage: demo-cli <command> [options]");
      expect(c.out[0]).toContain("things list");
    }
    for (const argv of [
      ["greet", "--help"],
      ["help", "greet"],
    ]) {
      const c = capture();
      expect(await runCli(spec, argv, c.io)).toBe(0);
      expect(c.out[0]).toContain("Usage: demo-cli greet <name> [options]");
      expect(c.out[0]).toContain("--local-key <value>");
    }
  });

  it("runs commands with global flags before or after, multi-word commands and aliases", async () => {
    const c = capture();
    expect(await runCli(spec, ["--url", "http://x", "greet", "ada", "--loud"], c.io)).toBe(0);
    expect(c.out).toEqual(["HELLO ADA"]);
    const list = capture();
    expect(await runCli(spec, ["things", "--limit", "3", "--json"], list.io)).toBe(0);
    expect(JSON.parse(list.out[0] as string)).toEqual({ limit: 3 });
    const full = capture();
    expect(await runCli(spec, ["things", "list"], full.io)).toBe(0);
    expect(full.out).toEqual(["listing 1"]);
  });

  it("names a mistyped flag and suggests the right one, exit 2", async () => {
    const c = capture();
    expect(await runCli(spec, ["greet", "ada", "--local-kee", "k=1"], c.io)).toBe(2);
    expect(c.err).toEqual([
      'demo-cli: error [unknown_option]: unknown flag --local-kee for "greet" (did you mean --local-key?)',
    ]);
  });

  it("rewrites Node's parseArgs messages and checks positionals, exit 2", async () => {
    const cases: [string[], string][] = [
      [["greet", "ada", "--token"], "demo-cli: error [invalid_option]: --token needs a value"],
      [["greet", "ada", "--loud=yes"], "demo-cli: error [invalid_option]: --loud takes no value"],
      [["greet"], "demo-cli: error [missing_argument]: greet: missing argument (usage: demo-cli greet <name>)"],
      [
        ["greet", "a", "b"],
        'demo-cli: error [unexpected_argument]: greet: unexpected argument "b" (usage: demo-cli greet <name>)',
      ],
      [[], "demo-cli: error [missing_command]: no command given (see demo-cli --help)"],
      [["nope"], 'demo-cli: error [unknown_command]: unknown command "nope" (see demo-cli --help)'],
      [["help", "nope"], 'demo-cli: error [unknown_command]: unknown command "nope" (see demo-cli --help)'],
      [
        ["things", "--limit", "0"],
        "demo-cli: error [invalid_option]: --limit is not valid: limit must be a positive integer",
      ],
      [["refuse"], "demo-cli: error [invalid_option]: --url must be https"],
    ];
    for (const [argv, line] of cases) {
      const c = capture();
      expect(await runCli(spec, argv, c.io), argv.join(" ")).toBe(2);
      expect(c.err, argv.join(" ")).toEqual([line]);
      expect(c.out).toEqual([]);
    }
  });

  it("never echoes a stray argument that is not a word: it may be a secret that lost its flag", async () => {
    const secret = "q5Kx0vB8+2mW/Zr7TnYc1sHdLpA4uEoJgRf9iVkXw3M=";
    const cases: string[][] = [
      ["greet", "ada", "--local-key", "k1", secret],
      [secret, "greet", "ada"],
      ["--local-key", "k1", secret, "greet"],
      ["help", secret],
      ["greet", "ada", "--json", secret.slice(0, 20)],
    ];
    for (const argv of cases) {
      const c = capture();
      expect(await runCli(spec, argv, c.io), argv.join(" ")).toBe(2);
      const everything = [...c.out, ...c.err].join("\n");
      expect(everything).toMatch(/characters, not shown|unknown flag --local-key for demo-cli/);
      for (let i = 0; i + 8 <= secret.length; i++) expect(everything).not.toContain(secret.slice(i, i + 8));
    }
  });

  it("reports failures as JSON on stdout with --json, for usage errors and library errors", async () => {
    const usage = capture();
    expect(await runCli(spec, ["greet", "--json"], usage.io)).toBe(2);
    expect(JSON.parse(usage.out[0] as string)).toEqual({
      error: { code: "missing_argument", message: "greet: missing argument (usage: demo-cli greet <name>)" },
    });
    const failed = capture();
    expect(await runCli(spec, ["things", "fail", "--json"], failed.io)).toBe(1);
    expect(JSON.parse(failed.out[0] as string)).toEqual({
      error: { code: "api_error", message: "the server said no", retryable: true },
    });
    expect(failed.err).toEqual(["demo-cli: error [api_error]: the server said no"]);
  });

  it("warns when a secret is on argv and reads it from the environment silently", async () => {
    const argv = capture();
    expect(await runCli(spec, ["greet", "ada", "--token", "s3cret", "--json"], argv.io)).toBe(0);
    expect(argv.err.join("\n")).toMatch(/warning: --token on the command line .* prefer DEMO_TOKEN/);
    expect(argv.err.join("\n")).not.toContain("s3cret");
    const env = capture({ DEMO_TOKEN: "s3cret" });
    expect(await runCli(spec, ["greet", "ada", "--json"], env.io)).toBe(0);
    expect(env.err).toEqual([]);
    expect(JSON.parse(env.out[0] as string).token).toBe(true);
  });

  it("never lets printed text drive the terminal: control characters escaped, JSON unchanged in meaning", async () => {
    const hostile = "a\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eb\u2028c";
    const echo: CliSpec = {
      ...spec,
      commands: [
        {
          name: "echo",
          summary: "print what a server sent",
          run(ctx) {
            ctx.warn(`careful: ${hostile}\nforged`);
            if (ctx.flags.boolean("loud"))
              throw Object.assign(new Error(`${hostile}\ndemo-cli: ok`), { code: "api_error" });
            ctx.print(() => `line1\n${hostile}`, { text: hostile });
            return 0;
          },
          options: { loud: { type: "boolean", description: "fail" } },
        },
      ],
    };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e\u2028]/;
    const human = capture();
    expect(await runCli(echo, ["echo"], human.io)).toBe(0);
    expect(human.out[0]).toMatch(/^line1\na\\u001b\]0;pwned/);
    expect(human.err).toHaveLength(1);
    expect(human.err[0]).toMatch(/careful: .*\\u000aforged$/);
    const json = capture();
    expect(await runCli(echo, ["echo", "--json"], json.io)).toBe(0);
    expect(JSON.parse(json.out[0] as string)).toEqual({ text: hostile });
    const failed = capture();
    expect(await runCli(echo, ["echo", "--loud", "--json"], failed.io)).toBe(1);
    expect(JSON.parse(failed.out[0] as string).error.message).toBe(`${hostile}\ndemo-cli: ok`);
    expect(failed.err.filter((line) => line.startsWith("demo-cli: error"))).toHaveLength(1);
    for (const line of [...human.out, ...human.err, ...json.out, ...failed.out, ...failed.err]) {
      expect(line.replaceAll("\n", "")).not.toMatch(raw);
    }
  });

  it("treats an undeclared flag read as a programming error, reported not thrown", async () => {
    const broken: CliSpec = {
      ...spec,
      commands: [{ name: "x", summary: "x", run: (ctx) => (ctx.flags.string("nope") ? 0 : 0) }],
    };
    const c = capture();
    expect(await runCli(broken, ["x"], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/error \[internal_error\]: flag --nope is not declared/);
    expect(new CliUsageError("invalid_option", "m").retryable).toBe(false);
  });

  it("lets a command map every failure, usage errors included, to one exit code", async () => {
    const detailed: CliSpec = {
      ...spec,
      commands: [
        {
          name: "plan",
          summary: "Terraform-style exit codes",
          options: { "detailed-exitcode": { type: "boolean", description: "0 same, 2 changes, 1 failure" } },
          failureExitCode: (argv) => (argv.includes("--detailed-exitcode") ? 1 : undefined),
          run: () => {
            throw Object.assign(new Error("server down"), { code: "network_error" });
          },
        },
      ],
    };
    const cases: [string[], number][] = [
      [["plan", "--detailed-exitcode", "--nope"], 1],
      [["plan", "--nope"], 2],
      [["plan", "--detailed-exitcode"], 1],
      [["plan"], 1],
    ];
    for (const [argv, code] of cases) {
      const c = capture();
      expect(await runCli(detailed, argv, c.io), argv.join(" ")).toBe(code);
      expect(c.err).toHaveLength(1);
    }
  });
});

describe("text from elsewhere cannot steer the terminal", () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the test looks for
  const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const hostile = "k\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\r\u009b2J\u202eexe.txt";
  const echo: CliSpec = {
    ...spec,
    commands: [
      {
        name: "show",
        summary: "Prints stored text",
        run(ctx) {
          ctx.progress(`progress ${hostile}`);
          ctx.warn(`warn ${hostile}`);
          ctx.print(() => `human ${hostile}\tnext\nline`, { stored: hostile });
          return undefined;
        },
      },
      {
        name: "fail",
        summary: "Fails with stored text in the message",
        run() {
          throw Object.assign(new Error(`server said ${hostile}`), { code: "api_error" });
        },
      },
    ],
  };

  it("human output, progress, warnings and the error line show escapes; JSON keeps the same value", async () => {
    for (const argv of [["show"], ["show", "--json"], ["fail"], ["fail", "--json"]]) {
      const c = capture();
      await runCli(echo, argv, c.io);
      for (const line of [...c.out, ...c.err]) expect(STEERING.test(line), `${argv.join(" ")}: ${line}`).toBe(false);
    }
    const human = capture();
    await runCli(echo, ["show"], human.io);
    expect(human.out[0]).toContain("\\u001b]8;;https://evil.example\\u0007");
    expect(human.out[0]).toContain("\tnext\nline");
    const json = capture();
    await runCli(echo, ["show", "--json"], json.io);
    expect(JSON.parse(json.out[0] as string)).toEqual({ stored: hostile });
    const failed = capture();
    await runCli(echo, ["fail", "--json"], failed.io);
    expect(JSON.parse(failed.out[0] as string).error.message).toBe(`server said ${hostile}`);
  });
});
