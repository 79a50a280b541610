import * as restate from "@restatedev/restate-sdk-cloudflare-workers/fetch";

/**
 * The example service. Its input, the `ctx.run` result and its output all pass through the journal
 * codec, so Restate only ever stores them encrypted.
 *
 * @example
 * ```sh
 * curl -X POST "$RESTATE_INGRESS/Greeter/greet" -H 'content-type: application/json' -d '"Ada"'
 * # "Hello, Ada!"
 * ```
 */
export const greeter = restate.service({
  name: "Greeter",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      if (typeof name !== "string" || name.length === 0) {
        throw new restate.TerminalError("expected a non-empty name", { errorCode: 400 });
      }
      return ctx.run("compose greeting", () => `Hello, ${name}!`);
    },
  },
});
