import type { Transport } from "../transport.js";
import type { RestartAsNewInvocationResponse } from "../types.js";
import { segment } from "../validate.js";

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

export function invocationsApi(transport: Transport): InvocationsApi {
  const act = async (id: string, action: string, query?: Record<string, string | number | undefined>) => {
    await transport.request<void>({
      method: "PATCH",
      path: `/invocations/${segment("invocation id", id)}/${action}`,
      query,
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
    resume: (id, options) => act(id, "resume", { deployment: options?.deployment }),
    async restartAsNew(id, options) {
      const answer = await transport.request<RestartAsNewInvocationResponse>({
        method: "PATCH",
        path: `/invocations/${segment("invocation id", id)}/restart-as-new`,
        query: { from: options?.from, deployment: options?.deployment },
        // Each successful call starts another invocation: never repeated automatically.
        idempotent: false,
      });
      return answer.body;
    },
  };
}
