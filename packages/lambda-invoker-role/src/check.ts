import { parsePrincipalArn } from "./arn.js";
import { describeValue, InvokerRoleError } from "./errors.js";
import { assertEnvironmentId, assertExternalId, RESTATE_CLOUD_PRINCIPAL_ARN } from "./trust-policy.js";

export type Severity = "error" | "warning" | "info";

/** Stable finding codes; `error` findings make a report fail. */
export type FindingCode =
  | "intended_principal_not_allowed"
  | "unexpected_principal"
  | "wildcard_principal"
  | "principal_not_bound"
  | "missing_external_id"
  | "external_id_mismatch"
  | "external_id_case_insensitive"
  | "external_id_optional"
  | "external_id_pattern"
  | "unconditioned_assume_role"
  | "tag_session_missing"
  | "broad_action"
  | "negated_element"
  | "deny_statement"
  | "broad_resource"
  | "wildcard_function"
  | "no_statements";

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

/** What the trust policy is meant to allow: Restate Cloud for one environment, or one self-hosted principal. */
export type TrustExpectations =
  | { readonly environmentId: string; readonly principalArn?: undefined; readonly externalId?: undefined }
  | { readonly principalArn: string; readonly externalId?: string; readonly environmentId?: undefined };

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
interface RawStatement {
  readonly label: string;
  readonly raw: { [key: string]: Json };
}

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function strings(value: Json | undefined): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

/** Whether an IAM action pattern (case-insensitive, `*`/`?` wildcards) matches the action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(action.toLowerCase());
}

/**
 * Reads a policy document from what users have at hand: a document object, its JSON text, the
 * URL-encoded form the IAM API returns, or the whole `aws iam get-role` output.
 */
export function readPolicyDocument(input: unknown): { [key: string]: Json } {
  let value: unknown = input;
  if (typeof value === "string") value = parseText(value);
  if (value && typeof value === "object" && "Role" in value) {
    const role = (value as { Role: unknown }).Role;
    value =
      role && typeof role === "object"
        ? (role as { AssumeRolePolicyDocument?: unknown }).AssumeRolePolicyDocument
        : undefined;
    if (typeof value === "string") value = parseText(value);
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || !("Statement" in value)) {
    throw new InvokerRoleError(
      "invalid_policy",
      "expected an IAM policy document with a Statement (or `aws iam get-role` output)",
    );
  }
  return value as { [key: string]: Json };
}

function parseText(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed.startsWith("%7B") ? decodeURIComponent(trimmed) : trimmed);
  } catch {
    throw new InvokerRoleError("invalid_policy", "the policy is not valid JSON");
  }
}

function statementsOf(document: { [key: string]: Json }): RawStatement[] {
  return list(document.Statement).map((raw, index) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      throw new InvokerRoleError("invalid_policy", `statement #${index} is not an object`);
    }
    const label = typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : `#${index}`;
    return { label, raw };
  });
}

/** Every principal string in `Principal` (`"*"` for the bare wildcard), with its type. */
function principalsOf(raw: { [key: string]: Json }): { type: string; value: string }[] {
  const principal = raw.Principal;
  if (principal === "*") return [{ type: "AWS", value: "*" }];
  if (!principal || typeof principal !== "object" || Array.isArray(principal)) return [];
  return Object.entries(principal).flatMap(([type, values]) => strings(values).map((value) => ({ type, value })));
}

/** Condition entries for one context key: which operator binds it to which values. */
function conditionsOn(raw: { [key: string]: Json }, key: string): { operator: string; values: string[] }[] {
  const condition = raw.Condition;
  if (!condition || typeof condition !== "object" || Array.isArray(condition)) return [];
  const found: { operator: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!block || typeof block !== "object" || Array.isArray(block)) continue;
    for (const [conditionKey, values] of Object.entries(block)) {
      if (conditionKey.toLowerCase() === key.toLowerCase()) found.push({ operator, values: strings(values) });
    }
  }
  return found;
}

function accountOfPrincipal(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value;
  return /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(value)?.[1];
}

// Operators that pin an ARN to one value when that value has no wildcard.
const EXACT_ARN_OPERATORS = ["StringEquals", "ArnEquals", "ArnLike", "StringLike"];

/** Whether the statement pins `key` to exactly `expected` with a case-sensitive, non-optional operator. */
function bindingOf(raw: { [key: string]: Json }, key: string, expected: string) {
  const entries = conditionsOn(raw, key);
  const exact = entries.some(
    (entry) =>
      EXACT_ARN_OPERATORS.includes(entry.operator) &&
      entry.values.length > 0 &&
      entry.values.every((value) => value === expected),
  );
  return { entries, exact };
}

/**
 * Analyses a role trust policy against what it should allow, and reports findings with severities:
 * is the intended principal (and only it) allowed, is `sts:ExternalId` bound to the expected value
 * with a case-sensitive operator, and confused-deputy risks (no external id, wildcard principal,
 * unconditioned `sts:AssumeRole`). Accepts any policy, including `aws iam get-role` output.
 * It analyses `Allow` statements; `Deny` statements are reported as info and not credited.
 *
 * @example
 * ```ts
 * const report = checkTrustPolicy(JSON.parse(readFileSync("get-role.json", "utf8")), {
 *   environmentId: "env_201hy10cd3h6426jy80tb32n6en",
 * });
 * if (!report.ok) console.log(formatReport(report));
 * ```
 */
export function checkTrustPolicy(policy: unknown, expectations: TrustExpectations): CheckReport {
  const cloud = expectations?.environmentId !== undefined;
  let intendedArn: string;
  let expectedExternalId: string | undefined;
  if (cloud) {
    assertEnvironmentId(expectations.environmentId);
    intendedArn = RESTATE_CLOUD_PRINCIPAL_ARN;
    expectedExternalId = expectations.environmentId;
  } else {
    intendedArn = parsePrincipalArn(expectations?.principalArn).arn;
    if (expectations.externalId !== undefined) assertExternalId(expectations.externalId);
    expectedExternalId = expectations.externalId;
  }
  const intendedAccount = accountOfPrincipal(intendedArn)!;
  const findings: Finding[] = [];
  const add = (severity: Severity, code: FindingCode, message: string, statement?: string) =>
    findings.push({ severity, code, message, ...(statement ? { statement } : {}) });

  const statements = statementsOf(readPolicyDocument(policy));
  if (statements.length === 0) add("error", "no_statements", "the policy has no statements");
  let intendedAssume = false;
  let intendedTag = false;

  for (const { label, raw } of statements) {
    if (raw.Effect === "Deny") {
      add("info", "deny_statement", "Deny statement present; this check does not credit it", label);
      continue;
    }
    if (raw.Effect !== "Allow") continue;
    if (raw.NotPrincipal !== undefined || raw.NotAction !== undefined) {
      add("error", "negated_element", "Allow with NotPrincipal/NotAction trusts far more than intended", label);
      continue;
    }
    const actions = strings(raw.Action);
    const assumes = actions.some((action) => actionMatches(action, "sts:AssumeRole"));
    const tags = actions.some((action) => actionMatches(action, "sts:TagSession"));
    if (!assumes && !tags) continue;
    const broad = actions.filter((action) => action.includes("*") || action.includes("?"));
    if (broad.length > 0) {
      add("warning", "broad_action", `wildcard action ${broad.join(", ")} allows more than sts:AssumeRole`, label);
    }

    const principalArnBinding = bindingOf(raw, "aws:PrincipalArn", intendedArn);
    const boundToIntended = principalArnBinding.exact;
    let coversIntended = false;
    // Principals that may only tag sessions cannot assume the role: worth a warning, not an error.
    const severity: Severity = assumes ? "error" : "warning";
    for (const principal of principalsOf(raw)) {
      if (principal.type !== "AWS") {
        add(severity, "unexpected_principal", `trusts ${principal.type} principal ${principal.value}`, label);
        continue;
      }
      if (principal.value === "*") {
        if (boundToIntended) coversIntended = true;
        else add(severity, "wildcard_principal", 'Principal "*" lets any AWS account assume the role', label);
        continue;
      }
      if (principal.value === intendedArn) {
        coversIntended = true;
        continue;
      }
      const account = accountOfPrincipal(principal.value);
      const isRoot = /^\d{12}$/.test(principal.value) || /:root$/.test(principal.value);
      if (isRoot && account === intendedAccount) {
        // The account root covers the intended principal, and every other principal of that account.
        coversIntended = true;
        if (!boundToIntended) {
          add(
            severity,
            "principal_not_bound",
            `trusts every principal of account ${account}; bind it with StringEquals aws:PrincipalArn = ${intendedArn}`,
            label,
          );
        }
        continue;
      }
      add(severity, "unexpected_principal", `trusts ${principal.value}, which is not ${intendedArn}`, label);
    }
    if (principalArnBinding.entries.length > 0 && !boundToIntended) {
      add(
        severity,
        "unexpected_principal",
        `aws:PrincipalArn condition does not pin exactly ${intendedArn} (StringEquals or ArnEquals)`,
        label,
      );
    }
    if (!assumes) {
      if (coversIntended && tags) intendedTag = true;
      continue;
    }
    if (coversIntended) intendedAssume = true;
    if (tags && coversIntended) intendedTag = true;
    if (raw.Condition === undefined) {
      add("warning", "unconditioned_assume_role", "sts:AssumeRole without any Condition", label);
    }
    checkExternalId(raw, label, expectedExternalId, cloud, add);
  }

  if (!intendedAssume) {
    add("error", "intended_principal_not_allowed", `no statement lets ${intendedArn} assume the role`);
  }
  if (cloud && !intendedTag) {
    add("error", "tag_session_missing", "Restate Cloud tags its sessions: allow sts:TagSession for its principal");
  }
  return { ok: !findings.some((finding) => finding.severity === "error"), findings };
}

function checkExternalId(
  raw: { [key: string]: Json },
  label: string,
  expected: string | undefined,
  cloud: boolean,
  add: (severity: Severity, code: FindingCode, message: string, statement?: string) => void,
): void {
  const entries = conditionsOn(raw, "sts:ExternalId");
  if (entries.length === 0) {
    if (expected !== undefined || cloud) {
      add(
        "error",
        "missing_external_id",
        "no sts:ExternalId condition: anyone who can make the principal assume roles could use this one (confused deputy)",
        label,
      );
    } else {
      add(
        "warning",
        "missing_external_id",
        "no sts:ExternalId condition; consider configuring aws-assume-role-external-id on the server",
        label,
      );
    }
    return;
  }
  for (const { operator, values } of entries) {
    const base = operator.replace(/^ForAnyValue:|^ForAllValues:/, "");
    if (/IfExists$/.test(base)) {
      add("error", "external_id_optional", `${operator} passes when no external id is sent at all`, label);
    } else if (base === "StringEqualsIgnoreCase") {
      add("error", "external_id_case_insensitive", `${operator} compares the external id case-insensitively`, label);
    } else if (base === "StringLike" && values.some((value) => /[*?]/.test(value))) {
      add("error", "external_id_pattern", `${operator} with a wildcard accepts many external ids`, label);
    } else if (base !== "StringEquals" && base !== "StringLike") {
      add("error", "external_id_pattern", `${operator} does not pin the external id to one value`, label);
    } else if (base !== operator || base === "StringLike") {
      add("warning", "external_id_pattern", `use plain StringEquals for sts:ExternalId instead of ${operator}`, label);
    }
    if (expected !== undefined && (values.length !== 1 || values[0] !== expected)) {
      add(
        "error",
        "external_id_mismatch",
        `sts:ExternalId is bound to ${values.map((value) => describeValue(value)).join(", ") || "nothing"}, expected ${describeValue(expected)}`,
        label,
      );
    }
  }
}

/**
 * Flags broad grants in an invoke (identity) policy: `lambda:*` or `*` actions, `*` resources,
 * wildcards in function names, and negated elements.
 *
 * @example
 * ```ts
 * checkInvokePolicy({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }] }).ok; // false
 * ```
 */
export function checkInvokePolicy(policy: unknown): CheckReport {
  const findings: Finding[] = [];
  const add = (severity: Severity, code: FindingCode, message: string, statement?: string) =>
    findings.push({ severity, code, message, ...(statement ? { statement } : {}) });
  const statements = statementsOf(readPolicyDocument(policy));
  if (statements.length === 0) add("error", "no_statements", "the policy has no statements");
  for (const { label, raw } of statements) {
    if (raw.Effect !== "Allow") continue;
    if (raw.NotAction !== undefined || raw.NotResource !== undefined) {
      add("error", "negated_element", "Allow with NotAction/NotResource grants far more than intended", label);
    }
    for (const action of strings(raw.Action)) {
      if (action === "*" || /^lambda:\*$/i.test(action)) add("error", "broad_action", `action ${action}`, label);
      else if (/[*?]/.test(action)) add("warning", "broad_action", `wildcard action ${action}`, label);
      else if (action.toLowerCase() !== "lambda:invokefunction") {
        add("warning", "broad_action", `action ${action} is not needed to invoke functions`, label);
      }
    }
    for (const resource of strings(raw.Resource)) {
      if (resource === "*") {
        add("error", "broad_resource", 'Resource "*" allows invoking every function', label);
        continue;
      }
      const name = /:function:([^:]*)/.exec(resource)?.[1];
      if (name === undefined || /[*?]/.test(name) || /[*?]/.test(resource.split(":function:")[0] ?? "")) {
        add("warning", "wildcard_function", `resource ${resource} matches more than named functions`, label);
      }
    }
  }
  return { ok: !findings.some((finding) => finding.severity === "error"), findings };
}

/**
 * Formats a report as a plain-text table (severity, code, statement, message).
 *
 * @example
 * ```ts
 * console.log(formatReport(checkTrustPolicy(policy, { environmentId })));
 * ```
 */
export function formatReport(report: CheckReport): string {
  const header = ["SEVERITY", "CODE", "STATEMENT", "MESSAGE"];
  const rows = report.findings.map((finding) => [
    finding.severity,
    finding.code,
    finding.statement ?? "-",
    finding.message,
  ]);
  const widths = header
    .slice(0, 3)
    .map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell))
      .join("  ")
      .trimEnd();
  const verdict = report.ok ? "OK: no errors found" : "FAILED: errors found";
  if (rows.length === 0) return `${verdict}\n`;
  return `${[line(header), ...rows.map(line)].join("\n")}\n${verdict}\n`;
}
