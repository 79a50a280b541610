import * as restate from "@restatedev/restate-sdk";

/** The first revision of the service the integration tests register. */
export const greeterV1 = restate.service({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: restate.Context, name: string) => `hello ${name}`,
    /** Sleeps long enough for a test to cancel or kill it. */
    slow: async (ctx: restate.Context) => {
      await ctx.sleep(120_000);
      return "woke up";
    },
  },
});

/** A breaking change: the same name is now a virtual object. */
export const greeterV2 = restate.object({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: restate.ObjectContext, name: string) => `hi ${name}`,
  },
});

/** A virtual object with state, for modify-state. */
export const counter = restate.object({
  name: "Counter",
  handlers: {
    add: async (ctx: restate.ObjectContext, amount: number) => {
      const next = ((await ctx.get<number>("count")) ?? 0) + amount;
      ctx.set("count", next);
      return next;
    },
  },
});
