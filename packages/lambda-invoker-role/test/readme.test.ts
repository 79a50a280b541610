import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it, vi } from "vitest";

// Every ```ts block of the README is copied into its own file, as a user would, and compiled under
// `strict` as a standalone module. This package is reachable only through its public entry points.
const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
// Inside the package, so aws-cdk-lib and @types/node resolve as they would in a user's project.
const work = mkdtempSync(join(root, ".readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENTRY_POINTS: Record<string, string> = {
  "@restate-connect/lambda-invoker-role": "src/index.ts",
  "@restate-connect/lambda-invoker-role/cdk": "src/cdk.ts",
  "@restate-connect/lambda-invoker-role/sts": "src/sts.ts",
};

describe("README", () => {
  it("has TypeScript examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it("imports only this package's public entry points (and third-party packages)", () => {
    for (const block of blocks) {
      for (const [, specifier] of block.matchAll(/from\s+"([^"]+)"/g)) {
        expect(specifier, block).not.toMatch(/^\./);
        if (specifier?.startsWith("@restate-connect/")) expect(Object.keys(ENTRY_POINTS)).toContain(specifier);
      }
    }
  });

  it("every ts block compiles under strict as a standalone module", () => {
    const files = blocks.map((block, index) => {
      const file = join(work, `block-${index}.ts`);
      writeFileSync(file, block);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      skipLibCheck: true,
      types: ["node"],
      baseUrl: root,
      paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, path]) => [name, [path]])),
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file === undefined || files.includes(diagnostic.file.fileName));
    const text = diagnostics.map((diagnostic) => {
      const where = diagnostic.file
        ? `${diagnostic.file.fileName.slice(work.length + 1)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
    });
    expect(text).toEqual([]);
  }, 120_000);

  it("the blocks that need no AWS account run (against the built package)", async () => {
    expect(readFileSync(join(root, "dist/index.js"), "utf8").length, "build first: npx tsup").toBeGreaterThan(0);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      let ran = 0;
      for (const [index, block] of blocks.entries()) {
        if (block.includes("/sts")) continue; // calls AWS
        const file = join(work, `run-${index}.ts`);
        writeFileSync(file, block);
        await import(file);
        ran++;
      }
      expect(ran).toBeGreaterThanOrEqual(4);
      expect(log.mock.calls.flat().join("\n")).toContain("AWS::IAM::Role");
      expect(error.mock.calls.flat().join("\n")).toContain("environment id must be");
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  }, 120_000);
});
