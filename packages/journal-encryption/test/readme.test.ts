import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Every ```ts block of the README, copied as a user would into a file of its own, must compile under
 * `strict` and import only public entry points (the package's exports, the Restate SDK, the AWS SDK,
 * Node builtins). Needs `dist/` (the package resolves through its own exports): `npx tsup` first.
 */
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const exportsMap = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { exports: object }).exports;
const PUBLIC_ENTRY_POINTS = new Set(
  Object.keys(exportsMap)
    .filter((key) => key !== "./package.json")
    .map((key) => `@restate-connect/journal-encryption${key.slice(1)}`),
);
const ALLOWED_IMPORT = (specifier: string) =>
  PUBLIC_ENTRY_POINTS.has(specifier) ||
  /^@restatedev\/restate-sdk(-clients)?(\/[a-z]+)?$/.test(specifier) ||
  specifier === "@aws-sdk/client-kms" ||
  specifier.startsWith("node:");

/** The ```ts blocks, with the line each starts on; indented blocks (inside list items) included. */
function tsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ts\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] as string); j++)
      body.push((lines[j] as string).slice(indent));
    blocks.push({ line: i + 1, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

const workDir = join(packageDir, ".cache", "readme-snippets");
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("README code blocks", () => {
  const blocks = tsBlocks(readme);

  it("there are some, and each imports only public entry points", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const specifiers = [...block.code.matchAll(/from\s+"([^"]+)"/g)].map((match) => match[1] as string);
      for (const specifier of specifiers) {
        expect(ALLOWED_IMPORT(specifier), `README line ${block.line} imports ${specifier}`).toBe(true);
      }
    }
  });

  it("each compiles under strict as a standalone module", () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, "package.json"), JSON.stringify({ type: "module" }));
    const files = blocks.map((block) => {
      const file = join(workDir, `readme-line-${block.line}.ts`);
      // `export {}` makes a block without imports a module too (top-level await, own scope).
      writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: ["node"],
      skipLibCheck: true,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file !== undefined && files.includes(diagnostic.file.fileName))
      .map((diagnostic) => {
        const file = diagnostic.file as ts.SourceFile;
        const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const start = Number(/readme-line-(\d+)/.exec(file.fileName)?.[1]);
        return `README line ${start + 1 + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
