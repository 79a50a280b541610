import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const OPTIONAL = ["aws-cdk-lib", "constructs", "@aws-sdk/client-sts", "@cloud-copilot/iam-simulate"];

/** Every file reachable from `entry` through static relative imports/requires. */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    seen.set(file, text);
    for (const match of text.matchAll(/(?:from\s*|require\()\s*["'](\.[^"']+)["']/g))
      visit(join(dirname(file), match[1]!));
  };
  visit(entry);
  return seen;
}

describe("built entry points", () => {
  it("the main entry (ESM and CJS) references no optional peer and no AGPL code", () => {
    expect(existsSync(join(dist, "index.js")), "build first: npx tsup").toBe(true);
    for (const entry of ["index.js", "index.cjs"]) {
      const files = reachable(join(dist, entry));
      expect(files.size).toBeGreaterThan(1);
      for (const [file, text] of files) {
        for (const name of OPTIONAL) expect(text.includes(name), `${file} mentions ${name}`).toBe(false);
      }
    }
  });

  it("the main entry loads and works when the optional peers cannot be resolved", () => {
    // A resolve hook that makes the optional peers unresolvable, as in an install without them.
    const hook = `
      import { registerHooks } from "node:module";
      registerHooks({ resolve(specifier, context, next) {
        if (${JSON.stringify(OPTIONAL)}.some((name) => specifier === name || specifier.startsWith(name + "/")))
          throw new Error("blocked optional peer " + specifier);
        return next(specifier, context);
      } });
      const lib = await import(${JSON.stringify(join(dist, "index.js"))});
      const trust = lib.restateCloudTrustPolicy({ environmentId: "env_abc" });
      console.log(trust.Statement[0].Sid);
      try { await import(${JSON.stringify(join(dist, "sts.js"))}); console.log("sts loaded"); } catch (e) { console.log(String(e.message)); }
    `;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", hook], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe("RestateCloudAssumeRole\nblocked optional peer @aws-sdk/client-sts\n");
  });

  it("the CLI has a shebang and loads STS only on demand", () => {
    const text = readFileSync(join(dist, "cli.js"), "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const [file, body] of reachable(join(dist, "cli.js"))) {
      for (const name of OPTIONAL)
        expect(body.includes(`from '${name}'`) || body.includes(`from "${name}"`), `${file}: ${name}`).toBe(false);
    }
  });
});
