import * as restate from "@restatedev/restate-sdk";

/** Awakeable ids the `Waiter.wait` handlers created, in order: the test resolves them through the ingress. */
export const awakeables: string[] = [];

/**
 * One revision of a service that reports which deployment runs it. `wait` suspends on an awakeable, so
 * its invocation stays pinned to the deployment that started it until the test resolves it.
 */
export function versioned(name: string, version: string) {
  return restate.service({
    name,
    // Suspend as soon as the handler waits, instead of holding the request open for a minute.
    options: { inactivityTimeout: 500 },
    handlers: {
      version: async () => version,
      wait: async (ctx: restate.Context) => {
        const { id, promise } = ctx.awakeable<string>();
        await ctx.run("publish", () => {
          awakeables.push(id);
        });
        return `${version}:${await promise}`;
      },
    },
  });
}

/** Same name, different handlers: what a URL serves after new code was deployed in place. */
export function rewritten(name: string) {
  return restate.service({
    name,
    handlers: {
      version: async () => "rewritten",
      other: async () => "other",
    },
  });
}

/** Same handler names as `versioned`, different declarations: new code behind the same interface. */
export function redeclared(name: string) {
  return restate.service({
    name,
    handlers: {
      version: restate.handlers.handler({ metadata: { build: "2" } }, async () => "redeclared"),
      wait: async () => "redeclared",
    },
  });
}

/** Opened by the test: until then `UnpinnedService.start` runs without touching its journal. */
export const gates = new Map<string, () => void>();

/**
 * A handler whose first attempt runs for as long as the test wants before its first journal entry —
 * the time during which Restate has not pinned the invocation to a deployment yet — then sleeps,
 * suspended.
 */
export function slowStarter(name: string, version: string) {
  return restate.service({
    name,
    // Suspends during the sleep: waking up needs the deployment the invocation is pinned to.
    options: { inactivityTimeout: 1500 },
    handlers: {
      start: async (ctx: restate.Context) => {
        // Only the first attempt waits: after the suspension the handler replays from the top.
        if (!gates.has(name)) await new Promise<void>((open) => gates.set(name, open));
        await ctx.sleep(2500);
        return version;
      },
    },
  });
}
