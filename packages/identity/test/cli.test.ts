import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run.js";
import { createSigner, publicKeyFromPem } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "identity-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("restate-identity CLI", () => {
  it("keygen writes a 0600 key file and prints its public key; refuses to overwrite", async () => {
    const file = join(dir, "key.pem");
    const result = await cli("keygen", "--out", file);
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(result.out.trim()).toBe(publicKeyFromPem(readFileSync(file, "utf8")));
    const again = await cli("keygen", "--out", file);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
    expect((await cli("keygen", "--out", file, "--force")).code).toBe(0);
  });

  it("keygen without --out prints the PEM on stdout and the public key on stderr", async () => {
    const result = await cli("keygen");
    expect(result.out).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(result.err).toBe(`public key: ${publicKeyFromPem(result.out)}\n`);
  });

  it("pubkey prints the publickeyv1_ of a PEM", async () => {
    const file = join(dir, "server.pem");
    writeFileSync(file, SERVER_TEST_KEY_PEM);
    expect(await cli("pubkey", file)).toEqual({ code: 0, out: `${SERVER_TEST_KID}\n`, err: "" });
    const bad = join(dir, "bad.pem");
    writeFileSync(bad, "hello");
    const result = await cli("pubkey", bad);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error \(invalid_public_key\)/);
    expect((await cli("pubkey", join(dir, "missing.pem"))).err).toMatch(/ENOENT/);
  });

  it("sign prints headers or a curl fragment that verify accepts", async () => {
    const file = join(dir, "server.pem");
    writeFileSync(file, SERVER_TEST_KEY_PEM);
    const lines = await cli("sign", "--key", file, "--path", "/invoke/S/h");
    expect(lines.code).toBe(0);
    const [scheme, jwt] = lines.out.trim().split("\n");
    expect(scheme).toBe("x-restate-signature-scheme: v1");
    const token = (jwt as string).replace("x-restate-jwt-v1: ", "");
    const curl = await cli("sign", "--key", file, "--path", "/invoke/S/h", "--curl");
    expect(curl.out).toMatch(/^-H 'x-restate-signature-scheme: v1' -H 'x-restate-jwt-v1: ey[\w.-]+'\n$/);

    const accepted = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/invoke/S/h", "--token", token);
    expect(accepted.code).toBe(0);
    expect(accepted.out).toContain(`signed by  ${SERVER_TEST_KID}`);
    const rejected = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/invoke/S/x", "--token", token);
    expect(rejected).toMatchObject({ code: 1, out: expect.stringMatching(/^rejected \(audience_mismatch\): /) });
  });

  it("verify explains an expired token", async () => {
    const signer = createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM });
    const old = (await signer.sign("/discover", { issuedAt: Math.floor(Date.now() / 1000) - 3600 }))[
      "x-restate-jwt-v1"
    ];
    const result = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/discover", "--token", old);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^rejected \(expired\): the token expired 35\d\d s ago/);
  });

  it("has --help on every command and usage errors exit 2", async () => {
    for (const command of ["keygen", "pubkey", "sign", "verify"]) {
      const help = await cli(command, "--help");
      expect(help.code).toBe(0);
      expect(help.out).toContain(`restate-identity ${command}`);
    }
    expect((await cli("--help")).code).toBe(0);
    expect((await cli()).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("sign", "--path", "/x")).code).toBe(2);
    expect((await cli("sign", "--bogus")).code).toBe(2);
    expect((await cli("verify", "--key", "nope", "--path", "/x", "--token", "t")).err).toMatch(/invalid_public_key/);
  });

  it("the built binary runs (dist/cli.js)", () => {
    const bin = join(import.meta.dirname, "..", "dist", "cli.js");
    const run = spawnSync(process.execPath, [bin, "pubkey", "-"], { input: SERVER_TEST_KEY_PEM, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`${SERVER_TEST_KID}\n`);
    expect(run.status).toBe(0);
    const bad = spawnSync(process.execPath, [bin, "nope"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
  });
});
