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

const USAGE = `Usage: npm run demo -- [--keep-running] [--json] [--wrong-key]

  --keep-running  leave restate-server and the service up after the demo and print URLs and curl commands
  --json          print a machine-readable summary on stdout (progress goes to stderr)
  --wrong-key     start the service trusting a different key, to see what a misconfiguration looks like
                  (step 3 fails: the service refuses Restate's discovery request)
  --help          show this help`;

const args = process.argv.slice(2);
const known = new Set(["--keep-running", "--json", "--wrong-key", "--help", "-h"]);
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

const build = await say.wait(
  "building the packages the demo uses (skipped when they are up to date)",
  ensureBuilt(repoRoot, stack),
);
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

if (summary.ok) {
  const took = keepRunning ? "" : ` in ${(summary.durationMs / 1000).toFixed(1)} s`;
  say.heading(`Done${took}.`, "Every step passed; nothing is left running.");
} else {
  const failed = summary.steps.find((step) => !step.ok);
  say.heading(
    `✗ Step ${failed?.step ?? summary.failedStep ?? "?"} (${failed?.name ?? "unknown"}) failed`,
    failed?.error ?? "unknown error",
  );
  if (summary.serverLogTail) process.stderr.write(`\n--- restate-server log (tail) ---\n${summary.serverLogTail}\n`);
  if (summary.serviceLogTail) process.stderr.write(`\n--- service log (tail) ---\n${summary.serviceLogTail}\n`);
}
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.ok ? 0 : 1);
