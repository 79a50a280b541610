#!/usr/bin/env node
// The four CLIs have one shape. This runs each built CLI (dist/cli.js, as `npx` would) through the
// same command lines and asserts the same answers: --version, --help, help, help <command>,
// <command> --help, an unknown flag, a bad flag value, an unknown command, and --json on failure.
// Part of `npm test` (after the build); writes .reports/cli-shape.json. Exits 1 on any difference.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "node_modules", ".bin", "node");
const node = existsSync(bin) ? bin : process.execPath;

/** Each CLI, one of its commands, and a flag value that command must refuse as a usage error. */
const CLIS = [
  {
    name: "restate-identity",
    dir: "packages/identity",
    command: "sign",
    badValue: ["sign", "--key", "key.pem", "--path", "/discover", "--expiration", "soon"],
    flag: "--expiration",
  },
  {
    name: "restate-journal",
    dir: "packages/journal-encryption",
    command: "decode",
    badValue: ["decode", "AAAA", "--local-key", "not-a-pair"],
    flag: "--local-key",
  },
  {
    name: "restate-invoker-role",
    dir: "packages/lambda-invoker-role",
    command: "trust-policy",
    badValue: ["trust-policy", "--environment-id", "not an id!"],
    flag: "--environment-id",
  },
  {
    name: "restate-admin",
    dir: "packages/admin-client",
    command: "query",
    badValue: ["query", "SELECT 1", "--timeout", "forever"],
    flag: "--timeout",
  },
];

function run(cli, args) {
  const result = spawnSync(node, [join(root, cli.dir, "dist", "cli.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

const results = [];
function check(cli, what, ok, detail) {
  results.push({ cli: cli.name, what, ok, detail });
}

for (const cli of CLIS) {
  const { version } = JSON.parse(readFileSync(join(root, cli.dir, "package.json"), "utf8"));
  const errorLine = (code) => new RegExp(`^${cli.name}: error \\[${code}\\]: .+$`);

  const v = run(cli, ["--version"]);
  check(cli, "--version", v.code === 0 && v.stdout === version, v);

  const help = run(cli, ["--help"]);
  check(
    cli,
    "--help",
    help.code === 0 &&
      help.stdout.includes(`Usage: ${cli.name} <command> [options]`) &&
      help.stdout.includes("Exit codes: 0 success, 1 refused or failed, 2 usage error."),
    help,
  );
  const helpWord = run(cli, ["help"]);
  check(cli, "help = --help", helpWord.code === 0 && helpWord.stdout === help.stdout, helpWord);

  const commandHelp = run(cli, [cli.command, "--help"]);
  check(
    cli,
    "<command> --help",
    commandHelp.code === 0 && commandHelp.stdout.startsWith(`Usage: ${cli.name} ${cli.command}`),
    commandHelp,
  );
  const helpCommand = run(cli, ["help", cli.command]);
  check(
    cli,
    "help <command> = <command> --help",
    helpCommand.code === 0 && helpCommand.stdout === commandHelp.stdout,
    helpCommand,
  );

  const unknownFlag = run(cli, [cli.command, "--no-such-flag"]);
  check(
    cli,
    "unknown flag → exit 2, one error line naming it",
    unknownFlag.code === 2 &&
      unknownFlag.stdout === "" &&
      errorLine("unknown_option").test(unknownFlag.stderr) &&
      unknownFlag.stderr.includes("--no-such-flag"),
    unknownFlag,
  );

  const badValue = run(cli, cli.badValue);
  check(
    cli,
    "bad flag value → exit 2, one error line naming the flag",
    badValue.code === 2 &&
      badValue.stderr.split("\n").filter((line) => line.includes(": error [")).length === 1 &&
      errorLine("invalid_option").test(badValue.stderr.split("\n").at(-1)) &&
      badValue.stderr.includes(cli.flag),
    badValue,
  );

  const unknownCommand = run(cli, ["no-such-command"]);
  check(
    cli,
    "unknown command → exit 2",
    unknownCommand.code === 2 && errorLine("unknown_command").test(unknownCommand.stderr),
    unknownCommand,
  );

  const json = run(cli, [cli.command, "--no-such-flag", "--json"]);
  let parsed;
  try {
    parsed = JSON.parse(json.stdout);
  } catch {
    parsed = undefined;
  }
  check(
    cli,
    "--json failure → JSON error on stdout",
    json.code === 2 && parsed?.error?.code === "unknown_option",
    json,
  );
}

const failures = results.filter((r) => !r.ok);
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.cli}: ${r.what}`);
for (const f of failures) console.log(`\n✗ ${f.cli}: ${f.what}\n${JSON.stringify(f.detail, null, 2)}`);
mkdirSync(join(root, ".reports"), { recursive: true });
writeFileSync(
  join(root, ".reports", "cli-shape.json"),
  JSON.stringify({
    numPassedTests: results.length - failures.length,
    numFailedTests: failures.length,
    testResults: [],
  }),
);
console.log(`\nCLI shape: ${results.length - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length > 0 ? 1 : 0);
