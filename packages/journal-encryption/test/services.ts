import * as restate from "@restatedev/restate-sdk";
import { isJournalEncryptionError } from "../src/index.js";

/** Codec failures that no retry can cure: the stored value itself is not acceptable. */
const PERMANENT_CODES = new Set(["not_encrypted", "invalid_envelope", "authentication_failed"]);

/** Services that pass a marker through every kind of journal value the codec sees. */
export function markerServices(marker: string) {
  const helper = restate.service({
    name: "Helper",
    handlers: {
      echo: async (_ctx: restate.Context, value: string) => `${value} | echoed by Helper ${marker}`,
      nothing: async (ctx: restate.Context): Promise<void> => {
        await ctx.run("nothing", async () => undefined);
      },
    },
  });

  const vault = restate.object({
    name: "Vault",
    handlers: {
      store: async (ctx: restate.ObjectContext, input: { note: string }) => {
        ctx.set("secret", `${marker} state value`);
        const fromRun = await ctx.run("step", async () => `${marker} run result`);
        const fromRpc = await ctx.serviceClient(helper).echo(`${marker} rpc parameter`);
        const { id, promise } = ctx.awakeable<string>();
        ctx.set("awakeable", id);
        const resolved = await promise;
        const fromState = await ctx.get<string>("secret");
        return { input: input.note, fromRun, fromRpc, resolved, fromState };
      },
      awakeableId: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) =>
        ctx.get<string>("awakeable"),
      ),
    },
  });
  /** Waits for an awakeable; `strict` turns permanent codec failures into terminal errors. */
  const waitForAwakeable = async (ctx: restate.ObjectContext) => {
    const { id, promise } = ctx.awakeable<string>();
    ctx.set("awakeable", id);
    return promise;
  };
  const waiter = restate.object({
    name: "Waiter",
    handlers: {
      lenient: waitForAwakeable,
      strict: restate.handlers.object.exclusive(
        {
          asTerminalError: (error: unknown) =>
            isJournalEncryptionError(error) && PERMANENT_CODES.has(error.code)
              ? new restate.TerminalError(error.message, { errorCode: 400 })
              : undefined,
        },
        waitForAwakeable,
      ),
      awakeableId: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) =>
        ctx.get<string>("awakeable"),
      ),
    },
  });
  return { helper, vault, waiter };
}

export type MarkerServices = ReturnType<typeof markerServices>;
