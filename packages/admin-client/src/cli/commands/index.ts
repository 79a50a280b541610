import type { CommandSpec } from "@restate-connect/cli-kit";
import { deploymentsList, deploymentsUpdate } from "./deployments.js";
import { health } from "./health.js";
import { invocationCommands } from "./invocation.js";
import { applyCommand, planCommand } from "./plan.js";
import { deploymentsPrune } from "./prune.js";
import { query } from "./query.js";
import { register } from "./register.js";
import { deploymentsRollback } from "./rollback.js";
import { servicesList, servicesShow } from "./services.js";

/**
 * Every `restate-admin` command, in the order `--help` lists them. A new command is one module under
 * `src/cli/commands/` exporting a `defineCommand({...})` (or an array of them for a group), added here.
 * Commands build their admin client with `adminClientFor(context)` from `../context.js`.
 */
export const commands: readonly CommandSpec[] = [
  register,
  deploymentsList,
  deploymentsUpdate,
  deploymentsPrune,
  deploymentsRollback,
  planCommand,
  applyCommand,
  servicesList,
  servicesShow,
  ...invocationCommands,
  query,
  health,
];
