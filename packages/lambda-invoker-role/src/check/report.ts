import { printable } from "../errors.js";

/** How much a finding matters: any `error` makes the report fail. */
export type Severity = "error" | "warning" | "info";

/** Every finding code, as one closed list. */
export const FINDING_CODES = [
  "intended_principal_not_allowed",
  "unexpected_principal",
  "wildcard_principal",
  "principal_not_bound",
  "missing_external_id",
  "external_id_mismatch",
  "external_id_case_insensitive",
  "external_id_optional",
  "external_id_pattern",
  "set_operator",
  "unconditioned_assume_role",
  "tag_session_missing",
  "federated_trust",
  "broad_action",
  "unsupported_action",
  "negated_element",
  "unsupported_element",
  "malformed_statement",
  "policy_variable",
  "deny_statement",
  "broad_resource",
  "wildcard_function",
  "unsupported_resource",
  "policy_version",
  "no_statements",
] as const;

/** One of {@link FINDING_CODES}. */
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  /** `Sid` or `#index` of the statement the finding is about, if any. */
  readonly statement?: string;
  readonly message: string;
}

export interface CheckReport {
  /** True when there is no `error` finding. */
  readonly ok: boolean;
  readonly findings: readonly Finding[];
}

/** Collects findings; `report()` derives `ok` from them, so no caller can forget to. */
export class Findings {
  private readonly list: Finding[] = [];

  add(severity: Severity, code: FindingCode, message: string, statement?: string): void {
    this.list.push({ severity, code, message: printable(message), ...(statement ? { statement } : {}) });
  }

  report(): CheckReport {
    return { ok: !this.list.some((finding) => finding.severity === "error"), findings: [...this.list] };
  }
}
