import * as restate from "@restatedev/restate-sdk/lambda";

/** What `profiles/save` accepts. Everything in it ends up in Restate's journal, encrypted. */
export interface ProfileInput {
  displayName: string;
  note: string;
}

export interface Profile {
  displayName: string;
  note: string;
  revision: number;
}

/**
 * A small virtual object whose values touch every journal path the codec protects: the handler
 * input, a `ctx.run` result, a state value and the handler output.
 *
 * @example
 * ```sh
 * curl -X POST $INGRESS/profiles/alice/save --json '{"displayName":"Alice","note":"likes tea"}'
 * curl -X POST $INGRESS/profiles/alice/get
 * ```
 */
export const profiles = restate.object({
  name: "profiles",
  handlers: {
    save: async (ctx: restate.ObjectContext, input: ProfileInput): Promise<{ greeting: string; profile: Profile }> => {
      if (typeof input?.displayName !== "string" || input.displayName.trim() === "") {
        throw new restate.TerminalError("displayName must be a non-empty string", { errorCode: 400 });
      }
      const previous = await ctx.get<Profile>("profile");
      // A durable step: its result is journaled (encrypted) and replayed, never recomputed.
      const profile = await ctx.run("normalise", () => ({
        displayName: input.displayName.trim(),
        note: String(input.note ?? ""),
        revision: (previous?.revision ?? 0) + 1,
      }));
      ctx.set("profile", profile);
      return { greeting: `Saved ${profile.displayName} (${ctx.key}), revision ${profile.revision}`, profile };
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<Profile | null> => {
      return (await ctx.get<Profile>("profile")) ?? null;
    }),
  },
});
