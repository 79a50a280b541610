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
