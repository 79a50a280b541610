/** `restate-journal show`: one invocation, its journal and its object's state, decrypted locally. */
import { type InvocationSummary, readInvocation } from "./invocation.js";
import { type JournalEntryView, readJournal } from "./journal.js";
import { type ObjectStateView, readObjectStateView } from "./object-state.js";
import { type KeySource, sessionKeys } from "./session-keys.js";
import type { QueryAdmin } from "./sql.js";

export interface InvocationReport {
  readonly invocation: InvocationSummary;
  readonly journal: readonly JournalEntryView[];
  /** The current state of the invocation's object or workflow; undefined for plain services. */
  readonly state: ObjectStateView | undefined;
}

/**
 * Reads one invocation through the admin SQL API and decrypts every value in its journal and in
 * its object's current state with `keys`. Undefined when the server does not know the invocation.
 * Each data key is unwrapped once for the whole report.
 *
 * @example
 * ```ts
 * const report = await showInvocation(createAdminClient({ baseUrl }), "inv_1l3H…", keyRing);
 * for (const entry of report?.journal ?? []) console.log(entry.index, entry.type, entry.values);
 * ```
 */
export async function showInvocation(
  admin: QueryAdmin,
  invocationId: string,
  keys: KeySource,
): Promise<InvocationReport | undefined> {
  const invocation = await readInvocation(admin, invocationId);
  if (invocation === undefined) return undefined;
  const session = sessionKeys(keys);
  try {
    const journal = await readJournal(admin, invocation.id, session);
    const state =
      invocation.key === undefined || invocation.key === ""
        ? undefined
        : await readObjectStateView(admin, invocation.service, invocation.key, session);
    return { invocation, journal, state };
  } finally {
    session.close();
  }
}
