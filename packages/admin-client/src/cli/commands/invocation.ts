import { type CommandSpec, defineCommand } from "@restate-connect/cli-kit";
import { adminClientFor } from "../context.js";

const ACTIONS = {
  cancel: { past: "cancellation requested", summary: "Ask an invocation to stop gracefully (compensations run)" },
  kill: { past: "killed", summary: "Stop an invocation at once, running no more user code" },
  purge: { past: "purged", summary: "Delete a completed invocation's journal and result" },
} as const;

function invocationCommand(action: keyof typeof ACTIONS): CommandSpec {
  return defineCommand({
    name: `invocation ${action}`,
    usage: "<id>",
    summary: ACTIONS[action].summary,
    args: { min: 1, max: 1 },
    async run(context) {
      const id = context.args[0] as string;
      await adminClientFor(context).invocations[action](id);
      context.print(() => `${id}: ${ACTIONS[action].past}`, { id, action, ok: true });
      return undefined;
    },
  });
}

export const invocationCommands: readonly CommandSpec[] = [
  invocationCommand("cancel"),
  invocationCommand("kill"),
  invocationCommand("purge"),
];
