import type { Transport } from "../transport.js";
import type { RestartAsNewInvocationResponse } from "../types.js";

export interface InvocationsApi {
  /** Asks the invocation to stop gracefully (it can run compensations). */
  cancel(id: string): Promise<void>;
  /** Stops the invocation immediately, without running any more user code. */
  kill(id: string): Promise<void>;
  /** Deletes a completed invocation's journal and result. */
  purge(id: string): Promise<void>;
  /** Deletes only a completed invocation's journal. */
  purgeJournal(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  /** `deployment`: `"latest"`, `"keep"` or a deployment id to resume on. */
  resume(id: string, options?: { deployment?: string }): Promise<void>;
  /** Starts a new invocation with the same input; `from` copies the journal prefix up to that entry. */
  restartAsNew(id: string, options?: { from?: number; deployment?: string }): Promise<RestartAsNewInvocationResponse>;
}

type Action = "cancel" | "kill" | "purge" | "purge-journal" | "pause";

/** What `resume`/`restartAsNew` accept for `deployment`, as the server's query parameter. */
function deploymentChoice(deployment: string | undefined) {
  if (deployment === undefined) return undefined;
  if (deployment === "latest" || deployment === "Latest") return "Latest" as const;
  if (deployment === "keep" || deployment === "Keep") return "Keep" as const;
  return { Id: deployment };
}

export function invocationsApi(transport: Transport): InvocationsApi {
  const act = async (id: string, action: Action) => {
    await transport.request("patch", `/invocations/{invocation_id}/${action}`, {
      path: { invocation_id: id },
      idempotent: true,
      json: false,
    });
  };
  return {
    cancel: (id) => act(id, "cancel"),
    kill: (id) => act(id, "kill"),
    purge: (id) => act(id, "purge"),
    purgeJournal: (id) => act(id, "purge-journal"),
    pause: (id) => act(id, "pause"),
    async resume(id, options) {
      await transport.request("patch", "/invocations/{invocation_id}/resume", {
        path: { invocation_id: id },
        query: { deployment: deploymentChoice(options?.deployment) },
        idempotent: true,
        json: false,
      });
    },
    async restartAsNew(id, options) {
      const answer = await transport.request("patch", "/invocations/{invocation_id}/restart-as-new", {
        path: { invocation_id: id },
        query: { from: options?.from, deployment: deploymentChoice(options?.deployment) },
        // Each successful call starts another invocation: never repeated automatically.
        idempotent: false,
      });
      return answer.body;
    },
  };
}
