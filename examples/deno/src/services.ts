import * as restate from "@restatedev/restate-sdk/fetch";

/**
 * A virtual object keyed by account id that keeps one secret note. The note (handler input, state,
 * the `ctx.run` result and the output) passes through the journal codec, so Restate stores it only
 * encrypted.
 *
 * @example
 * ```sh
 * curl -X POST "$RESTATE_INGRESS/vault/ada/keep" -H 'content-type: application/json' -d '"the launch code"'
 * ```
 */
export const vault = restate.object({
  name: "vault",
  handlers: {
    keep: async (ctx: restate.ObjectContext, note: string): Promise<{ receipt: string; length: number }> => {
      if (typeof note !== "string" || note.length === 0) {
        throw new restate.TerminalError("expected a non-empty note", { errorCode: 400 });
      }
      ctx.set("note", note);
      // A side effect whose result is journaled (and therefore encrypted too).
      const receipt = await ctx.run("issue receipt", () => `kept-${crypto.randomUUID()}`);
      return { receipt, length: note.length };
    },
    read: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<string> => {
      const note = await ctx.get<string>("note");
      if (note === null) throw new restate.TerminalError(`no note for ${ctx.key}`, { errorCode: 404 });
      return note;
    }),
  },
});
