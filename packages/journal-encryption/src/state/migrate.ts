import { inspectValue } from "../inspect.js";
import { type RewriteOptions, type RewriteReport, rewriteState } from "./rewrite.js";

export interface MigrateStateOptions extends Omit<RewriteOptions, "select" | "transform"> {
  /** Seals the plaintext values: a codec from `createJournalCodec` with the key new values go under. */
  codec: { encode(value: Uint8Array): Uint8Array };
}

/**
 * Encrypts every plaintext state value of virtual objects and workflows in place. Values that are
 * already envelopes (or reference-format values, or malformed envelopes) are left alone, so a second
 * run finds nothing to do. Concurrent writers are never overwritten (see `rewriteState`).
 *
 * @example
 * ```ts
 * const admin = createAdminClient({ baseUrl: "http://localhost:9070" });
 * const codec = await createJournalCodec({ keyProvider });
 * const report = await migrateState({ admin, codec, onEvent: console.error });
 * console.log(report.valuesRewritten, report.conflictsRetried, report.pending);
 * ```
 */
export function migrateState(options: MigrateStateOptions): Promise<RewriteReport> {
  const { codec, ...rest } = options;
  return rewriteState({
    ...rest,
    select: (value) => inspectValue(value).format === "plaintext",
    transform: (value) => codec.encode(value),
  });
}
