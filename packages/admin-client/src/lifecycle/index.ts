export type { ApplyOptions, ApplyResult } from "./apply.js";
export { apply } from "./apply.js";
export type {
  DeploymentConfig,
  ParseConfigOptions,
  RestateConfig,
  ServiceConfig,
  SubscriptionConfig,
} from "./config.js";
export { parseConfig } from "./config.js";
export {
  ApplyIncompleteError,
  ConfigError,
  PlanStaleError,
  PruneIncompleteError,
  RollbackRefusedError,
} from "./errors.js";
export type { FieldChange, Plan, PlannedChange } from "./plan.js";
export { plan } from "./plan.js";
export type {
  ExecutePruneOptions,
  PruneDecision,
  PruneOptions,
  PrunePlan,
  PruneReason,
  PruneReport,
} from "./prune.js";
export { executePrune, PRUNE_REASONS, planPrune, prune } from "./prune.js";
export type { RollbackOptions, RollbackResult } from "./rollback.js";
export { rollback } from "./rollback.js";
export type { DeploymentStatus, DeploymentUsage } from "./status.js";
export { DEPLOYMENT_STATUSES } from "./status.js";
