/**
 * The part of the Restate admin API the state tools use. `createAdminClient` from
 * `@restate-connect/admin-client` satisfies it; it is declared here so this package never needs
 * the admin client at runtime or in its types.
 */
export interface StateAdmin {
  /** SQL over Restate's introspection tables (`state`: service_name, service_key, key, value). */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  readonly services: {
    /**
     * Replaces the whole K/V state of one object key. Restate answers 202 and applies it later;
     * with `version`, only if the object's state is still at that version (else it is dropped).
     */
    modifyState(
      service: string,
      change: { objectKey: string; newState: Readonly<Record<string, Uint8Array>>; version?: string },
    ): Promise<void>;
  };
}
