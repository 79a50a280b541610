import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenOnLoopback } from "@restate-connect/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/spec.js";
import { createSigner, createVerifier, publicKeyFromPem } from "../src/index.js";
import { SERVER_TEST_KEY_PEM, SERVER_TEST_KID } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "identity-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, {
    stdout: (t) => {
      out += `${t}\n`;
    },
    stderr: (t) => {
      err += `${t}\n`;
    },
    env: {},
    stdin: async () => new TextEncoder().encode(SERVER_TEST_KEY_PEM),
  });
  return { code, out, err };
}

const serverPem = join(dir, "server.pem");
writeFileSync(serverPem, SERVER_TEST_KEY_PEM);

describe("restate-identity CLI: the one shape", () => {
  it("--version, help, per-command help, an unknown flag and a bad value", async () => {
    expect(await cli("--version")).toEqual({ code: 0, out: "0.0.0-dev\n", err: "" });
    for (const argv of [["--help"], ["help"]]) {
      const help = await cli(...argv);
      expect(help.code).toBe(0);
      expect(help.out).toContain("Usage: restate-identity <command> [options]");
      expect(help.out).toContain("Exit codes: 0 success, 1 refused or failed, 2 usage error.");
    }
    for (const command of ["keygen", "pubkey", "sign", "verify"]) {
      for (const argv of [
        [command, "--help"],
        ["help", command],
      ]) {
        const help = await cli(...argv);
        expect(help.code).toBe(0);
        expect(help.out).toContain(`Usage: restate-identity ${command}`);
      }
    }
    expect(await cli("sign", "--key", serverPem, "--pth", "/x")).toEqual({
      code: 2,
      out: "",
      err: 'restate-identity: error [unknown_option]: unknown flag --pth for "sign" (did you mean --path?)\n',
    });
    for (const value of ["abc", "0", "1.5", "1e3", "60s"]) {
      const bad = await cli("sign", "--key", serverPem, "--path", "/x", "--expiration", value);
      expect(bad.code).toBe(2);
      expect(bad.err).toBe(
        `restate-identity: error [invalid_option]: --expiration must be a whole number of seconds ≥ 1, got ${JSON.stringify(value)}\n`,
      );
    }
    const tolerance = await cli(
      "verify",
      "--key",
      SERVER_TEST_KID,
      "--path",
      "/x",
      "--token",
      "t",
      "--clock-tolerance",
      "x",
    );
    expect(tolerance.err).toMatch(/^restate-identity: error \[invalid_option\]: --clock-tolerance must be/);
    expect((await cli()).code).toBe(2);
    expect((await cli("frobnicate")).err).toMatch(/error \[unknown_command\]: unknown command "frobnicate"/);
    expect(await cli("sign", "--path", "/x")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/\[missing_option\]: sign needs --key/),
    });
  });

  it("--json puts JSON on stdout for success and failure alike", async () => {
    const ok = await cli("pubkey", serverPem, "--json");
    expect([ok.code, JSON.parse(ok.out)]).toEqual([0, { publicKey: SERVER_TEST_KID }]);
    const usage = await cli("sign", "--key", serverPem, "--path", "/x", "--expiration", "soon", "--json");
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.out)).toEqual({
      error: { code: "invalid_option", message: '--expiration must be a whole number of seconds ≥ 1, got "soon"' },
    });
    const rejected = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/x", "--token", "a.b.c", "--json");
    expect(rejected.code).toBe(1);
    expect(JSON.parse(rejected.out)).toMatchObject({ error: { code: "malformed_token", retryable: false } });
  });
});

describe("keygen", () => {
  it("writes a new 0600 file and prints its public key; refuses to overwrite without --force", async () => {
    const file = join(dir, "key.pem");
    const result = await cli("keygen", "--out", file);
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(result.out.trim()).toBe(publicKeyFromPem(readFileSync(file, "utf8")));
    const before = readFileSync(file, "utf8");
    const again = await cli("keygen", "--out", file);
    expect(again).toMatchObject({
      code: 1,
      err: expect.stringMatching(/error \[file_exists\]: .* already exists; use --force/),
    });
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("--force replaces a 0644 file with a new 0600 file instead of keeping the old mode", async () => {
    const file = join(dir, "world-readable.pem");
    writeFileSync(file, "old");
    chmodSync(file, 0o644);
    const inode = statSync(file).ino;
    const result = await cli("keygen", "--out", file, "--force");
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).ino).not.toBe(inode);
    expect(publicKeyFromPem(readFileSync(file, "utf8"))).toBe(result.out.trim());
  });

  it("never writes through a symlink: --force replaces the link, the link's target is untouched", async () => {
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "do not touch");
    chmodSync(victim, 0o644);
    const link = join(dir, "link.pem");
    symlinkSync(victim, link);
    expect((await cli("keygen", "--out", link)).code).toBe(1);
    expect(readlinkSync(link)).toBe(victim);
    expect((await cli("keygen", "--out", link, "--force")).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(lstatSync(link).mode & 0o777).toBe(0o600);
    expect(readFileSync(victim, "utf8")).toBe("do not touch");
    expect(statSync(victim).mode & 0o777).toBe(0o644);
  });

  it("without --out prints the PEM on stdout and the public key on stderr; an unwritable --out names the flag", async () => {
    const result = await cli("keygen");
    expect(result.out).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(result.err).toBe(`public key: ${publicKeyFromPem(result.out)}\n`);
    const bad = await cli("keygen", "--out", join(dir, "no-such-dir", "k.pem"));
    expect(bad).toMatchObject({
      code: 2,
      err: expect.stringMatching(/error \[invalid_option\]: --out cannot be written: .*ENOENT/),
    });
  });
});

describe("pubkey, sign, verify", () => {
  it("pubkey prints the publickeyv1_ of a PEM file or stdin; bad input is named", async () => {
    expect(await cli("pubkey", serverPem)).toEqual({ code: 0, out: `${SERVER_TEST_KID}\n`, err: "" });
    expect(await cli("pubkey", "-")).toEqual({ code: 0, out: `${SERVER_TEST_KID}\n`, err: "" });
    const bad = join(dir, "bad.pem");
    writeFileSync(bad, "hello");
    expect(await cli("pubkey", bad)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^restate-identity: error \[invalid_public_key\]/),
    });
    expect(await cli("pubkey", join(dir, "missing.pem"))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/\[invalid_option\]: <key.pem> names a file that cannot be read: .*ENOENT/),
    });
  });

  it("sign prints header lines that verify accepts, and verify explains a rejection (exit 1)", async () => {
    const lines = await cli("sign", "--key", serverPem, "--path", "/invoke/S/h", "--subject", "obj-1");
    expect(lines.code).toBe(0);
    const [scheme, jwt] = lines.out.trim().split("\n");
    expect(scheme).toBe("x-restate-signature-scheme: v1");
    const token = (jwt as string).replace("x-restate-jwt-v1: ", "");
    const accepted = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/invoke/S/h", "--token", token);
    expect(accepted.code).toBe(0);
    expect(accepted.out).toContain(`signed by  ${SERVER_TEST_KID}`);
    expect(accepted.out).toContain("subject    obj-1");
    const rejected = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/invoke/S/x", "--token", token);
    expect(rejected).toMatchObject({
      code: 1,
      out: "",
      err: expect.stringMatching(/^restate-identity: error \[audience_mismatch\]: token audience/),
    });
    const old = (
      await createSigner({ privateKeyPem: SERVER_TEST_KEY_PEM }).sign("/discover", {
        issuedAt: Math.floor(Date.now() / 1000) - 3600,
      })
    )["x-restate-jwt-v1"];
    const expired = await cli("verify", "--key", SERVER_TEST_KID, "--path", "/discover", "--token", old);
    expect(expired.err).toMatch(/error \[expired\]: the token expired 35\d\d s ago/);
    expect((await cli("verify", "--key", "nope", "--path", "/x", "--token", "t")).err).toMatch(
      /error \[invalid_option\]: --key is not valid: key #0: a public key must start with/,
    );
  });

  it("sign --curl output fed to the real curl (-K -) reaches a server that verifies it", async () => {
    const verifier = createVerifier({ keys: [SERVER_TEST_KID] });
    const server = createServer(async (req, res) => {
      const result = await verifier.verify(req.headers, req.url ?? "");
      res.statusCode = result.ok ? 200 : 401;
      res.end(result.ok ? "verified" : result.code);
    });
    const listener = await listenOnLoopback(server);
    try {
      const signed = await cli("sign", "--key", serverPem, "--path", "/invoke/Greeter/greet", "--curl");
      expect(signed.out).toMatch(
        /^header = "x-restate-signature-scheme: v1"\nheader = "x-restate-jwt-v1: ey[\w.-]+"\n$/,
      );
      // Asynchronously: the server answers from this process's event loop.
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          "curl",
          ["-sS", "-K", "-", "-X", "POST", `${listener.url}/invoke/Greeter/greet`],
          (error, out) => (error ? reject(error) : resolve(out)),
        );
        child.stdin?.end(signed.out);
      });
      expect(stdout).toBe("verified");
    } finally {
      await listener.close();
    }
  });

  it("the built binary runs without the kit installed (dist/cli.js bundles it)", () => {
    const bin = join(import.meta.dirname, "..", "dist", "cli.js");
    expect(readFileSync(bin, "utf8")).not.toContain("@restate-connect/cli-kit");
    const ok = spawnSync(process.execPath, [bin, "pubkey", "-"], { input: SERVER_TEST_KEY_PEM, encoding: "utf8" });
    expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, `${SERVER_TEST_KID}\n`, ""]);
    const version = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")).version,
    );
    const bad = spawnSync(process.execPath, [bin, "nope"], { encoding: "utf8" });
    expect([bad.status, bad.stderr]).toEqual([
      2,
      'restate-identity: error [unknown_command]: unknown command "nope" (see restate-identity --help)\n',
    ]);
  });
});
