import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outputsNewerThanInputs } from "../demo/build.ts";

let root: string;
const task = { taskId: "p#build", hash: "h", command: "tsup", directory: "packages/p", outputs: ["dist/**"] };

function file(path: string, secondsAgo: number): void {
  const full = join(root, "packages/p", path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, "x");
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, time, time);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "node-service-build-"));
  file("src/index.ts", 100);
  file("src/adapters/node.ts", 90);
  file("package.json", 100);
  file("dist/index.js", 50);
  file("dist/adapters/node.js", 50);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("outputsNewerThanInputs", () => {
  it("is true when every output is newer than every input", () => {
    expect(outputsNewerThanInputs(root, task)).toBe(true);
  });

  it("is false when any input, however deep, changed after the build", () => {
    file("src/adapters/node.ts", 10);
    expect(outputsNewerThanInputs(root, task)).toBe(false);
  });

  it("is false when any output is older than an input", () => {
    file("dist/adapters/node.js", 95);
    expect(outputsNewerThanInputs(root, task)).toBe(false);
  });

  it("is false when there are no outputs", () => {
    rmSync(join(root, "packages/p/dist"), { recursive: true });
    expect(outputsNewerThanInputs(root, task)).toBe(false);
  });
});
