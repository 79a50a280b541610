import * as restate from "@restatedev/restate-sdk";

/**
 * The services the `show` and `console` tests run against restate-server: an object whose
 * handlers complete, fail, and suspend on an awakeable, each leaving values of every kind
 * (input, output, state, `ctx.run` result, call parameter and result) in the journal.
 */
export function showServices() {
  const greeter = restate.service({
    name: "Greeter",
    handlers: {
      greet: async (_ctx: restate.Context, name: string) => `Hello, ${name}!`,
    },
  });
  const account = restate.object({
    name: "Account",
    handlers: {
      deposit: async (ctx: restate.ObjectContext, input: { amount: number; note: string }) => {
        const balance = ((await ctx.get<number>("balance")) ?? 0) + input.amount;
        ctx.set("balance", balance);
        ctx.set("note", input.note);
        const receipt = await ctx.run("make receipt", async () => ({ receipt: `R-${balance}`, amount: input.amount }));
        const greeting = await ctx.serviceClient(greeter).greet(ctx.key);
        return { balance, receipt, greeting };
      },
      hold: async (ctx: restate.ObjectContext, reason: string) => {
        const { id, promise } = ctx.awakeable<string>();
        ctx.set("awakeable", id);
        ctx.set("hold reason", reason);
        return `released: ${await promise}`;
      },
      fail: async (ctx: restate.ObjectContext, why: string) => {
        ctx.set("last failure", why);
        throw new restate.TerminalError(`refused: ${why}`, { errorCode: 409 });
      },
      remember: async (ctx: restate.ObjectContext, text: string) => {
        ctx.set("memo", text);
        return text;
      },
      awakeableId: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) =>
        ctx.get<string>("awakeable"),
      ),
    },
  });
  const signup = restate.workflow({
    name: "Signup",
    handlers: {
      run: async (ctx: restate.WorkflowContext, email: string) => {
        ctx.set("email", email);
        const code = await ctx.promise<string>("verified");
        return `verified ${email} with ${code}`;
      },
      verify: async (ctx: restate.WorkflowSharedContext, code: string) => {
        await ctx.promise<string>("verified").resolve(code);
      },
    },
  });
  return { greeter, account, signup };
}

export type ShowServices = ReturnType<typeof showServices>;
