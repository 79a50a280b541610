/**
 * `npm run demo`: the secure-connectivity story on one machine. Builds the packages it needs (a
 * cache hit after the first run), then runs the seven steps in run.ts.
 *
 *   node examples/node-service/demo/main.ts [--keep-running] [--json]
 */
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "./build.ts";
import { createReporter } from "./reporter.ts";
import { Stack } from "./stack.ts";

const USAGE = `Usage: npm run demo -- [--keep-running] [--json] [--wrong-key] [--verbose]

  --keep-running  leave restate-server and the service up after the demo and print URLs and curl commands
  --json          print a machine-readable summary on stdout (progress goes to stderr); run it as
                  \`npm run -s demo -- --json\` so that npm prints no banner before the JSON
  --wrong-key     start the service trusting a different key, to see what a misconfiguration looks like
                  (step 3 fails: the service refuses Restate's discovery request)
  --verbose       on failure, also print the server's and the service's log tails
  --help          show this help`;

const args = process.argv.slice(2);
const known = new Set(["--keep-running", "--json", "--wrong-key", "--verbose", "--help", "-h"]);
const unknown = args.filter((arg) => !known.has(arg));
if (unknown.length > 0) {
  process.stderr.write(`unknown option: ${unknown.join(" ")}\n\n${USAGE}\n`);
  process.exit(2);
}
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const json = args.includes("--json");
const keepRunning = args.includes("--keep-running");
const say = createReporter(json ? process.stderr : process.stdout);
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

say.heading(
  "restate-connect demo",
  "request identity, journal encryption and the admin client, against a real restate-server on this machine",
);

const stack = new Stack();
let parked: (() => void) | undefined;
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  // A terminal's Ctrl-C reaches the demo twice (directly, and forwarded by npm): act on the first only.
  interrupts += 1;
  if (interrupts > 1) return;
  if (parked) {
    parked();
    return;
  }
  say.warn(`${signal}: stopping every started process and removing temporary directories…`);
  void stack.stopAll().then(() => process.exit(130));
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

const buildStarted = Date.now();
const build = await say.wait(
  "building identity, journal-encryption and admin-client (skipped when up to date; a first build takes ~20 s)",
  ensureBuilt(repoRoot, stack),
);
const buildMs = Date.now() - buildStarted;
if (build.ok && build.ran) say.ok(`built the packages in ${(buildMs / 1000).toFixed(1)} s`);
if (!build.ok) {
  say.warn("building the packages failed:");
  process.stderr.write(`${build.output.split("\n").slice(-40).join("\n")}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, failedStep: 0, error: "build failed", steps: [] })}\n`);
  process.exit(1);
}

// Imported only now: these modules load the freshly built packages.
let runDemo: typeof import("./run.ts").runDemo;
try {
  ({ runDemo } = await import("./run.ts"));
} catch (error) {
  say.warn(`could not load the built packages (${(error as Error).message}); try \`npm run build\``);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ok: false, failedStep: 0, error: "packages not loadable", steps: [] })}\n`,
    );
  process.exit(1);
}

const summary = await runDemo(
  {
    keepRunning,
    wrongKey: args.includes("--wrong-key"),
    reporter: say,
    waitForStop: () => new Promise<void>((resolve) => (parked = resolve)),
  },
  stack,
);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
if (summary.ok) {
  const took = keepRunning
    ? ""
    : build.ran
      ? ` in ${seconds(buildMs + summary.durationMs)} (build ${seconds(buildMs)}, demo ${seconds(summary.durationMs)})`
      : ` in ${seconds(summary.durationMs)}`;
  say.heading(`Done${took}.`, "Every step passed; nothing is left running.");
} else {
  const failed = summary.steps.find((step) => !step.ok);
  say.heading(
    `✗ Step ${failed?.step ?? summary.failedStep ?? "?"} (${failed?.name ?? "unknown"}) failed`,
    failed?.error ?? "unknown error",
  );
  if (summary.diagnosis) {
    say.line(`Cause: ${summary.diagnosis.cause}`);
    say.line(`Fix:   ${summary.diagnosis.fix}`);
  }
  if (!summary.diagnosis || args.includes("--verbose")) {
    if (summary.serverLogTail) process.stderr.write(`\n--- restate-server log (tail) ---\n${summary.serverLogTail}\n`);
    if (summary.serviceLogTail) process.stderr.write(`\n--- service log (tail) ---\n${summary.serviceLogTail}\n`);
  } else {
    say.line("(--verbose prints the server's and the service's log tails)");
  }
}
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.ok ? 0 : 1);
