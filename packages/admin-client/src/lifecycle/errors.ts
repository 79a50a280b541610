import { AdminClientError } from "../errors.js";
import type { PlannedChange } from "./plan.js";
import type { PruneDecision, PruneReport } from "./prune.js";

/**
 * A configuration file for `plan`/`apply` is not valid: `file` and `field` name where (e.g.
 * `restate.yaml`, `deployments[1].assumeRoleArn`). Never carries a value read from the environment.
 */
export class ConfigError extends AdminClientError {
  override readonly name = "ConfigError";
  readonly retryable = false;
  constructor(
    readonly code: "invalid_config" | "missing_variable",
    /** The file, or `config` for an object passed in code. */
    readonly file: string,
    /** Path of the offending field, e.g. `services.Greeter.public`; empty for the whole document. */
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field === "" ? "" : `${field}: `}${problem}`);
  }
}

/** Restate changed between `plan` and `apply` in a way the plan did not account for: plan again. */
export class PlanStaleError extends AdminClientError {
  readonly code = "plan_stale" as const;
  override readonly name = "PlanStaleError";
  readonly retryable = false;
}

/** A rollback that Restate 1.7 cannot carry out safely; the message names the reason and what to do instead. */
export class RollbackRefusedError extends AdminClientError {
  readonly code = "rollback_refused" as const;
  override readonly name = "RollbackRefusedError";
  readonly retryable = false;
}

/**
 * `apply` failed after it had changed something: `applied` lists what stays changed (Restate has no
 * transactions), `cause` is the failure. Applying the same configuration again converges: what is done
 * is found done.
 */
export class ApplyIncompleteError extends AdminClientError {
  readonly code = "apply_incomplete" as const;
  override readonly name = "ApplyIncompleteError";
  readonly retryable: boolean;
  constructor(
    /** The changes made before the failure. */
    readonly applied: readonly PlannedChange[],
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = cause instanceof AdminClientError ? ` [${cause.code}]` : "";
    super(
      `stopped after ${applied.length} change(s) were applied (they stay applied; apply again to finish)${code}: ${reason}`,
    );
    this.retryable = cause instanceof AdminClientError ? cause.retryable : false;
  }
}

/**
 * `prune` failed after it had removed deployments: `removed` lists them (a delete cannot be undone),
 * `orphaned` any invocations found bound to them, `cause` is the failure. Pruning again goes on.
 */
export class PruneIncompleteError extends AdminClientError {
  readonly code = "prune_incomplete" as const;
  override readonly name = "PruneIncompleteError";
  readonly retryable: boolean;
  constructor(
    /** The deployments removed before the failure. */
    readonly removed: readonly PruneDecision[],
    readonly orphaned: PruneReport["orphaned"],
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = cause instanceof AdminClientError ? ` [${cause.code}]` : "";
    super(`stopped after removing ${removed.map((d) => d.id).join(", ")}${code}: ${reason}`);
    this.retryable = cause instanceof AdminClientError ? cause.retryable : false;
  }
}
