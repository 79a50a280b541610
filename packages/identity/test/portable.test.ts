// The core must load and verify in runtimes without Node built-ins (workerd, Vercel Edge, browsers).
// We bundle the built ESM the way edge bundlers do (platform "browser") and run it in a bare V8
// context that has no `process`, no `require` and no `node:crypto`.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { createSigner } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const dist = join(import.meta.dirname, "..", "dist");

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(dist, "index.js")],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "identity",
    write: false,
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  return result.outputFiles[0]?.text ?? "";
}

async function verifyInBareContext(code: string, globals: Record<string, unknown>, token: string) {
  const context = createContext({ TextEncoder, TextDecoder, ...globals });
  runInContext(code, context);
  context.token = token;
  context.kid = SERVER_TEST_KID;
  const out = (await runInContext(
    `(async () => {
      const hasProcess = typeof process !== "undefined";
      const verifier = identity.createVerifier({ keys: [kid] });
      const good = await verifier.verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token }, "/invoke/S/h");
      const bad = await verifier.verify({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token }, "/invoke/S/x");
      return JSON.stringify({ hasProcess, crypto: verifier.crypto, good: good.ok, bad: bad.ok ? "ok" : bad.code });
    })()`,
    context,
  )) as string;
  return JSON.parse(out) as { hasProcess: boolean; crypto: string; good: boolean; bad: string };
}

describe("portable build", () => {
  it("the ESM output has no static import of Node built-ins", () => {
    for (const file of readdirSync(dist).filter((f) => f.endsWith(".js") && f !== "cli.js")) {
      const text = readFileSync(join(dist, file), "utf8");
      expect([file, /from\s*["']node:|require\(["']node:/.test(text)]).toEqual([file, false]);
    }
  });

  it("runs in a bare context with Web Crypto (→ webcrypto) and without any crypto (→ noble)", async () => {
    const code = await bundle();
    const token = (await createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM }).sign("/invoke/S/h"))["x-restate-jwt-v1"];
    expect(await verifyInBareContext(code, { crypto: globalThis.crypto }, token)).toEqual({
      hasProcess: false,
      crypto: "webcrypto",
      good: true,
      bad: "audience_mismatch",
    });
    expect(await verifyInBareContext(code, {}, token)).toEqual({
      hasProcess: false,
      crypto: "noble",
      good: true,
      bad: "audience_mismatch",
    });
  });

  it("uses node:crypto through a dynamic import where process.getBuiltinModule is missing (Node < 20.16)", () => {
    const script = `
      process.getBuiltinModule = undefined;
      const id = await import(${JSON.stringify(join(dist, "index.js"))});
      const { privateKeyPem, publicKey } = id.generateKeyPair();
      const verifier = id.createVerifier({ keys: [publicKey] });
      const result = await verifier.verify(await id.createSigner({ privateKeyPem }).sign("/discover"), "/discover");
      console.log(JSON.stringify({ ok: result.ok, crypto: verifier.crypto }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, crypto: "node" });
  });
});
