import { AdminClientError } from "../errors.js";

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
