/** One invocation's row of `sys_invocation`, read through the admin SQL API. */
import { checkInvocationId, numberColumn, type QueryAdmin, sqlString, textColumn } from "./sql.js";

/** What Restate says about an invocation (nothing here is encrypted). */
export interface InvocationSummary {
  readonly id: string;
  /** `Service/handler` or `Object/key/handler`. */
  readonly target: string;
  readonly service: string;
  readonly handler: string;
  /** The virtual object or workflow key; undefined for plain services. */
  readonly key: string | undefined;
  /** `service`, `virtual_object` or `workflow`. */
  readonly serviceType: string;
  /** `pending`, `scheduled`, `ready`, `running`, `backing-off`, `paused`, `suspended` or `completed`. */
  readonly status: string;
  /** `success` or `failure` once completed. */
  readonly completionResult: string | undefined;
  /** `[code] message` of a failed invocation, as Restate stores it (failures bypass the codec). */
  readonly completionFailure: string | undefined;
  readonly createdAt: string | undefined;
  readonly modifiedAt: string | undefined;
  readonly completedAt: string | undefined;
  readonly retryCount: number | undefined;
  readonly lastFailure: string | undefined;
  readonly invokedBy: string | undefined;
  readonly invokedByTarget: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly journalSize: number | undefined;
}

export const INVOCATION_COLUMNS = [
  "id",
  "target",
  "target_service_name",
  "target_service_key",
  "target_handler_name",
  "target_service_ty",
  "status",
  "completion_result",
  "completion_failure",
  "created_at",
  "modified_at",
  "completed_at",
  "retry_count",
  "last_failure",
  "invoked_by",
  "invoked_by_target",
  "idempotency_key",
  "journal_size",
].join(", ");

/** Turns one `sys_invocation` row (selected with `INVOCATION_COLUMNS`) into a summary. */
export function invocationFromRow(row: Record<string, unknown>): InvocationSummary {
  return {
    id: textColumn(row.id) ?? "",
    target: textColumn(row.target) ?? "",
    service: textColumn(row.target_service_name) ?? "",
    handler: textColumn(row.target_handler_name) ?? "",
    key: textColumn(row.target_service_key),
    serviceType: textColumn(row.target_service_ty) ?? "",
    status: textColumn(row.status) ?? "unknown",
    completionResult: textColumn(row.completion_result),
    completionFailure: textColumn(row.completion_failure),
    createdAt: textColumn(row.created_at),
    modifiedAt: textColumn(row.modified_at),
    completedAt: textColumn(row.completed_at),
    retryCount: numberColumn(row.retry_count),
    lastFailure: textColumn(row.last_failure),
    invokedBy: textColumn(row.invoked_by),
    invokedByTarget: textColumn(row.invoked_by_target),
    idempotencyKey: textColumn(row.idempotency_key),
    journalSize: numberColumn(row.journal_size),
  };
}

/** The invocation, or undefined when the server has no such invocation (or no longer keeps it). */
export async function readInvocation(admin: QueryAdmin, invocationId: string): Promise<InvocationSummary | undefined> {
  const id = checkInvocationId(invocationId);
  const rows = await admin.query(
    `SELECT ${INVOCATION_COLUMNS} FROM sys_invocation WHERE id = ${sqlString(id, "invocation id")}`,
  );
  const row = rows[0];
  return row === undefined ? undefined : invocationFromRow(row);
}
