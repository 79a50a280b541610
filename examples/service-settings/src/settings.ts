import type { Environment } from "./environment.js";
import { type IdentityConfig, readIdentityConfig } from "./identity.js";
import { type JournalConfig, type ReadJournalOptions, readJournalConfig } from "./journal.js";

export interface ServiceConfig {
  readonly identity: IdentityConfig;
  readonly journal: JournalConfig;
}

export type ReadServiceConfigOptions = ReadJournalOptions;

/**
 * Parses and validates a Restate service's security settings (see {@link SETTINGS} for the
 * variables). Throws {@link ConfigError} on the first problem, naming the variable, never a value.
 *
 * @example
 * ```ts
 * const config = readServiceConfig({
 *   RESTATE_IDENTITY_KEYS: "publickeyv1_w7YHemBctH5Ck2nQRQ47iBBqhNHy4FV7t2Usbye2A6f",
 *   JOURNAL_KEYS: "2026-11=q83vEjRWeJ…=",
 * });
 * config.journal.provider; // "local"
 * ```
 */
export function readServiceConfig(env: Environment, options: ReadServiceConfigOptions = {}): ServiceConfig {
  return { identity: readIdentityConfig(env), journal: readJournalConfig(env, options) };
}
