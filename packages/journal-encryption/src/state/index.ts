/**
 * `@restate-connect/journal-encryption/state`: tools for values already stored in Restate's state.
 * They take any admin client with `query` and `services.modifyState` — `createAdminClient` from
 * `@restate-connect/admin-client` is one — so this entry never imports it.
 */
export type { StateAdmin } from "./admin.js";
export type { AuditFinding, AuditReport, AuditStateOptions, ServiceAudit } from "./audit.js";
export { auditState } from "./audit.js";
export type { MigrateStateOptions } from "./migrate.js";
export { migrateState } from "./migrate.js";
export type { RewrapStateOptions } from "./rewrap.js";
export { rewrapState } from "./rewrap.js";
export type { ObjectOutcome, RewriteEvent, RewriteReport, ValueLocation } from "./rewrite.js";
export { stateVersion } from "./version.js";
