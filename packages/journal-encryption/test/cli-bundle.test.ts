import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** Follows relative imports from an entry through the emitted chunks. */
function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(dist(file), "utf8");
    for (const match of source.matchAll(/(?:from\s*|import\s*\(?\s*|require\()\s*["']\.\/([^"']+)["']/g)) {
      queue.push(match[1] as string);
    }
  }
  return [...seen].map((file) => readFileSync(dist(file), "utf8"));
}

/** The sources an entry loads at startup: relative imports followed through static `from` only. */
function staticallyReachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(dist(file), "utf8");
    for (const match of source.matchAll(/\bfrom\s*["']\.\/([^"']+)["']|\brequire\(\s*["']\.\/([^"']+)["']\s*\)/g)) {
      queue.push((match[1] ?? match[2]) as string);
    }
  }
  return [...seen].map((file) => readFileSync(dist(file), "utf8"));
}

/** Every module specifier a source loads, and how: statically or with a dynamic import(). */
function specifiers(source: string): { name: string; dynamic: boolean }[] {
  const found: { name: string; dynamic: boolean }[] = [];
  for (const match of source.matchAll(/\bfrom\s*["']([^"'.][^"']*)["']|\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
    found.push({ name: (match[1] ?? match[2]) as string, dynamic: false });
  }
  for (const match of source.matchAll(/\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
    found.push({ name: match[1] as string, dynamic: true });
  }
  return found;
}

describe("the admin client is loaded only by the stored-state commands (run `npm run build` first)", () => {
  it("the core, /kms and /state entries never reference @restate-connect/admin-client", () => {
    expect(existsSync(dist("state.js")), "dist/state.js missing: build the package first").toBe(true);
    for (const entry of ["index.js", "index.cjs", "kms.js", "kms.cjs", "state.js", "state.cjs"]) {
      const sources = reachableSources(entry);
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(source, entry).not.toContain("@restate-connect/admin-client");
    }
    // /state takes an admin client as an argument: no AWS SDK either.
    for (const source of reachableSources("state.js")) expect(source).not.toContain("@aws-sdk");
  });

  it("the CLI imports the admin client only dynamically, and bundles the private CLI kit", () => {
    // The bin is an ES module; no CommonJS copy or declarations of it are built (nothing would load them).
    expect(["cli.cjs", "cli.d.ts", "cli.d.cts"].filter((file) => existsSync(dist(file)))).toEqual([]);
    for (const entry of ["cli.js"]) {
      const loaded = reachableSources(entry).flatMap(specifiers);
      const admin = loaded.filter((s) => s.name === "@restate-connect/admin-client");
      expect(admin.length, `${entry} must load the admin client (so this test can fail)`).toBeGreaterThan(0);
      expect(
        admin.every((s) => s.dynamic),
        entry,
      ).toBe(true);
      expect(
        loaded.filter((s) => s.name.startsWith("@restate-connect/cli-kit")),
        entry,
      ).toEqual([]);
    }
    // What `restate-journal inspect` or `generate-key` loads: neither the admin client nor the AWS SDK.
    const atStartup = staticallyReachable("cli.js")
      .flatMap(specifiers)
      .filter((s) => !s.dynamic);
    expect(atStartup.filter((s) => /^@restate-connect\/admin-client|^@aws-sdk\//.test(s.name))).toEqual([]);
    expect(
      reachableSources("cli.js")
        .flatMap(specifiers)
        .some((s) => s.name === "@aws-sdk/client-kms"),
    ).toBe(true);
  });
});
