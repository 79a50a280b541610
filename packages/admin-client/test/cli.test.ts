import { describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "../src/cli/args.js";
import { parseDuration } from "../src/cli/duration.js";
import { renderTable } from "../src/cli/table.js";

describe("parseCommandLine", () => {
  it("reads the Restate CLI's environment variables, flags win", () => {
    const env = { RESTATE_ADMIN_URL: "http://env:9070", RESTATE_AUTH_TOKEN: "t" };
    expect(parseCommandLine(["services"], env).options).toEqual({
      url: "http://env:9070",
      token: "t",
      json: false,
      timeoutMs: 30_000,
    });
    expect(
      parseCommandLine(["services", "--url", "http://flag:9070", "--json", "--timeout", "5s"], env).options,
    ).toMatchObject({
      url: "http://flag:9070",
      json: true,
      timeoutMs: 5000,
    });
    expect(parseCommandLine(["health"], {}).options).toMatchObject({ url: "http://localhost:9070", token: undefined });
  });

  it("parses register with all its options", () => {
    const { command } = parseCommandLine(
      [
        "register",
        "https://svc.example.com",
        "--force",
        "--breaking",
        "--dry-run",
        "--header",
        "a=1",
        "--header",
        "b=x=y",
        "--http1.1",
        "--wait-ready",
        "60s",
      ],
      {},
    );
    expect(command).toEqual({
      kind: "register",
      target: { uri: "https://svc.example.com" },
      force: true,
      breaking: true,
      dryRun: true,
      headers: { a: "1", b: "x=y" },
      useHttp11: true,
      waitReadyMs: 60_000,
    });
    const lambda = parseCommandLine(
      [
        "register",
        "arn:aws:lambda:eu-central-1:123456789012:function:f:1",
        "--assume-role-arn",
        "arn:aws:iam::123456789012:role/r",
      ],
      {},
    ).command;
    expect(lambda).toMatchObject({
      target: {
        arn: "arn:aws:lambda:eu-central-1:123456789012:function:f:1",
        assumeRoleArn: "arn:aws:iam::123456789012:role/r",
      },
    });
  });

  it("parses the other commands", () => {
    expect(parseCommandLine(["invocation", "kill", "inv_1"], {}).command).toEqual({
      kind: "invocation",
      action: "kill",
      id: "inv_1",
    });
    expect(parseCommandLine(["query", "SELECT 1"], {}).command).toEqual({ kind: "query", sql: "SELECT 1" });
    expect(parseCommandLine(["service", "Greeter"], {}).command).toEqual({ kind: "service", name: "Greeter" });
    expect(parseCommandLine(["--help"], {}).command).toEqual({ kind: "help" });
  });

  it.each([
    [[]],
    [["nope"]],
    [["services", "extra"]],
    [["register"]],
    [["register", "http://a", "--header", "novalue"]],
    [["register", "http://a", "--assume-role-arn", "arn:aws:iam::1:role/r"]],
    [["register", "arn:aws:lambda:us-east-1:123456789012:function:f", "--http1.1"]],
    [["register", "http://a", "--wait-ready", "later"]],
    [["deployments", "--force"]],
    [["invocation", "pause", "inv_1"]],
    [["health", "--timeout", "0s"]],
    [["health", "--unknown-flag"]],
  ])("rejects %j as a usage error", (argv) => {
    expect(() => parseCommandLine(argv, {})).toThrow(UsageError);
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
});
