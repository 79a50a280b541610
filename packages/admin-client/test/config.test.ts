import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../src/cli/config-file.js";
import { parseRestateDuration } from "../src/lifecycle/duration.js";
import { ConfigError, parseConfig } from "../src/lifecycle/index.js";

function failure(document: unknown, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(document, { env, source: "restate.yaml" });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("accepts the documented example and substitutes ${VAR}", () => {
    const config = parseConfig(
      {
        version: 1,
        deployments: [
          {
            uri: "https://greeter.example.com/restate",
            headers: { "X-Api-Key": "${GREETER_API_KEY}" },
            useHttp11: true,
          },
          {
            arn: "arn:aws:lambda:eu-central-1:123456789012:function:payments:7",
            assumeRoleArn: "arn:aws:iam::123456789012:role/restate-invoker",
            metadata: { "git.commit.sha": "${SHA}" },
          },
        ],
        services: { Greeter: { public: false, idempotencyRetention: "1d", abortTimeout: 30 } },
        subscriptions: [{ source: "kafka://cluster/orders", sink: "service://Orders/handle", options: { a: "b" } }],
      },
      { env: { GREETER_API_KEY: "k-123", SHA: "abc" } },
    );
    expect(config.deployments[0]).toEqual({
      uri: "https://greeter.example.com/restate",
      headers: { "x-api-key": "k-123" },
      useHttp11: true,
    });
    expect(config.deployments[1]).toMatchObject({ metadata: { "git.commit.sha": "abc" } });
    expect(config.services.Greeter).toEqual({ public: false, idempotencyRetention: "1d", abortTimeout: "30s" });
    expect(config.subscriptions).toHaveLength(1);
  });

  it("names the file and the field of every problem", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ deployment: [] }, "deployment", /unknown field/],
      [{ deployments: {} }, "deployments", /expected a list/],
      [{ deployments: [{ uri: "ftp://x" }] }, "deployments[0].uri", /http: or https:/],
      [{ deployments: [{ uri: "https://u:p@x.example" }] }, "deployments[0].uri", /credentials/],
      [{ deployments: [{ uri: "https://x.example", arn: "arn" }] }, "deployments[0]", /exactly one/],
      [{ deployments: [{ arn: "arn:aws:lambda:eu-central-1:1:function:f" }] }, "deployments[0].arn", /arn:/],
      [
        { deployments: [{ arn: "arn:aws:lambda:eu-central-1:123456789012:function:f", assumeRoleArn: "role" }] },
        "deployments[0].assumeRoleArn",
        /role/,
      ],
      [{ deployments: [{ uri: "https://x.example", useHttp11: "yes" }] }, "deployments[0].useHttp11", /true or false/],
      [{ deployments: [{ uri: "https://x.example", header: {} }] }, "deployments[0].header", /unknown field/],
      [
        { deployments: [{ uri: "https://x.example", headers: { "bad name": "v" } }] },
        "deployments[0].headers",
        /a key \(8 characters, not shown\) is not a valid HTTP header name/,
      ],
      [
        { deployments: [{ uri: "https://x.example/a" }, { uri: "http://x.example/a" }] },
        "deployments[1]",
        /declared twice/,
      ],
      [{ services: { Greeter: { public: "no" } } }, "services.Greeter.public", /true or false/],
      [{ services: { Greeter: { retention: "1d" } } }, "services.Greeter.retention", /unknown field/],
      [
        { services: { Greeter: { journalRetention: "1 fortnight" } } },
        "services.Greeter.journalRetention",
        /not a duration/,
      ],
      [{ subscriptions: [{ source: "kafka://c/t", sink: "http://x" }] }, "subscriptions[0].sink", /service:\/\//],
      [{ version: 2 }, "version", /version 1/],
    ];
    for (const [document, field, problem] of cases) {
      const error = failure(document);
      expect(error.code, field).toBe("invalid_config");
      expect(error.field).toBe(field);
      expect(error.file).toBe("restate.yaml");
      expect(error.message).toMatch(problem);
      expect(error.message.startsWith(`restate.yaml: ${field}: `)).toBe(true);
    }
  });

  it("fails on a missing or empty variable, naming it and the field", () => {
    const missing = failure({ deployments: [{ uri: "https://x.example", headers: { "x-key": "${NOPE}" } }] });
    expect(missing.code).toBe("missing_variable");
    expect(missing.field).toBe("deployments[0].headers.x-key");
    expect(missing.message).toContain("NOPE");
    const odd = failure({ deployments: [{ uri: "${A.B}" }] }, { "A.B": "x" });
    expect(odd.message).toMatch(/needs a variable name of letters, digits and _, got "A\.B"/);
    const empty = failure({ deployments: [{ uri: "${URL}" }] }, { URL: "" });
    expect(empty.code).toBe("missing_variable");
    expect(empty.message).toContain("URL");
  });

  it("substitutes in one pass, keeps $${ literal, and never puts a value in an error", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s)),
        fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/),
        (secret, name) => {
          const env = { [name]: secret };
          const config = parseConfig(
            { deployments: [{ uri: "https://x.example", headers: { a: `\${${name}}`, b: `$\${${name}}` } }] },
            { env },
          );
          const headers = (config.deployments[0] as { headers: Record<string, string> }).headers;
          expect(headers.a).toBe(secret);
          expect(headers.b).toBe(`\${${name}}`);
          // A value that itself looks like a reference is not expanded again.
          const nested = parseConfig(
            { deployments: [{ uri: "https://x.example", headers: { a: `\${${name}}` } }] },
            { env: { [name]: "${OTHER}", OTHER: secret } },
          );
          expect((nested.deployments[0] as { headers: Record<string, string> }).headers.a).toBe("${OTHER}");
          // A secret that makes a field invalid is not echoed.
          const error = failure({ deployments: [{ uri: `\${${name}}` }] }, { [name]: `not a url ${secret}` });
          expect(error.message).not.toContain(secret);
        },
      ),
    );
  });
});

describe("parseRestateDuration", () => {
  it("reads the friendly and ISO 8601 forms Restate uses", () => {
    expect(parseRestateDuration("1d")).toBe(86_400_000);
    expect(parseRestateDuration("1day")).toBe(86_400_000);
    expect(parseRestateDuration("2 hours")).toBe(7_200_000);
    expect(parseRestateDuration("1h 30m")).toBe(5_400_000);
    expect(parseRestateDuration("1h30m")).toBe(5_400_000);
    expect(parseRestateDuration("500ms")).toBe(500);
    expect(parseRestateDuration("PT2H")).toBe(7_200_000);
    expect(parseRestateDuration("P1DT1S")).toBe(86_401_000);
    for (const bad of ["", "P", "PT", "1", "1 fortnight", "1y", "h", "1h x"]) {
      expect(parseRestateDuration(bad), bad).toBeUndefined();
    }
  });

  it("agrees between the friendly and the ISO form for any hours, minutes and seconds", () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), (h, m, s) => {
        fc.pre(h + m + s > 0);
        expect(parseRestateDuration(`${h}h ${m}m ${s}s`)).toBe(parseRestateDuration(`PT${h}H${m}M${s}S`));
      }),
    );
  });
});

describe("loadConfigFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "restate-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const refusal = async (path: string) => {
    const error = await loadConfigFile(path, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  };

  it("refuses an alias bomb, unknown tags, duplicate keys and a missing file, naming the file", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(10)
          .fill(`*${"abcdefghij"[i - 1]}`)
          .join(", ")}]`,
      );
    const bomb = await refusal(write("bomb.yaml", `${levels.join("\n")}\n`));
    expect(bomb.message).toMatch(/^.*bomb\.yaml: not usable YAML/);
    const tagged = await refusal(write("tag.yaml", "services: !!js/function 'function () {}'\n"));
    expect(tagged.file).toMatch(/tag\.yaml$/);
    const duplicate = await refusal(write("dup.yaml", "services: {}\nservices: {}\n"));
    expect(duplicate.message).toMatch(/dup\.yaml: not valid YAML at line 2, column 1: duplicate_key/);
    const missing = await refusal(join(dir, "nope.yaml"));
    expect(missing.message).toMatch(/nope\.yaml: cannot read the file \(ENOENT\)/);
    const json = await refusal(write("bad.json", "{ services: {} }"));
    expect(json.message).toMatch(/bad\.json: not valid JSON/);
  });

  it("never echoes the text of a JSON error; refuses duplicate JSON keys, YAML tags and huge files", async () => {
    const secret = "hunter3-json-secret";
    const json = await refusal(write("leak.json", `{"deployments": [{"uri": ${secret}}]}`));
    expect(json.message).toMatch(/leak\.json: not valid JSON$/);
    expect(json.message).not.toContain("hunter3");
    const unclosed = await refusal(write("unclosed.json", `{"deployments": [{"uri": "${secret}"}`));
    expect(unclosed.message).toMatch(/unclosed\.json: not valid JSON at line 1, column \d+$/);
    const duplicate = await refusal(write("dup.json", '{"services": {"A": {"public": true}, "A": {"public": false}}}'));
    expect(duplicate.message).toMatch(/dup\.json: duplicate key at line 1, column 38/);
    for (const [name, text] of [
      ["set.yaml", "deployments:\n  - uri: https://x.example\n    headers: !!set { x-a }\n"],
      ["custom.yaml", "deployments:\n  - uri: https://x.example\n    headers: { x-a: !vault secret/path }\n"],
      ["binary.yaml", "deployments:\n  - uri: https://x.example\n    metadata: { a: !!binary aGk= }\n"],
    ]) {
      expect((await refusal(write(name as string, text as string))).message).toMatch(
        /YAML tags are not supported at line 3/,
      );
    }
    const huge = await refusal(write("huge.yaml", `services: {}\n#${"x".repeat(1024 * 1024)}\n`));
    expect(huge.message).toMatch(/huge\.yaml: larger than 1048576 bytes/);
  });

  it("keeps a key named __proto__ as a key instead of dropping it", async () => {
    for (const path of [
      write("proto.json", '{"services": {"__proto__": {"public": true}}}'),
      write("proto.yaml", "services:\n  __proto__: { public: true }\n"),
    ]) {
      const config = await loadConfigFile(path, {});
      expect(Object.keys(config.services)).toEqual(["__proto__"]);
      expect(Object.getPrototypeOf(config.services)).toBe(Object.prototype);
    }
  });

  it("never echoes the offending text of a YAML error", async () => {
    const secret = "hunter2-literal-secret";
    const error = await refusal(write("leak.yaml", `deployments:\n  - uri: [${secret}\n`));
    expect(error.message).not.toContain(secret);
  });
});
