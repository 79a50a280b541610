import { parsePrincipalArn } from "../arn.js";
import { describeValue, InvokerRoleError } from "../errors.js";
import { assertEnvironmentId, assertExternalId, RESTATE_CLOUD_PRINCIPAL_ARN } from "../trust-policy.js";
import {
  actionMatches,
  type ConditionEntry,
  conditionEntries,
  documentFindings,
  entriesOn,
  hasPolicyVariable,
  type JsonObject,
  readPolicyDocument,
  statementsOf,
  stringList,
} from "./document.js";
import { type CheckReport, Findings, type Severity } from "./report.js";

/**
 * What a trust policy is meant to allow — exactly one of:
 *
 * - `{ environmentId }`: Restate Cloud acting for this environment. The intended principal is
 *   Restate Cloud's role (`arn:aws:iam::654654156625:role/RestateCloud`), `sts:ExternalId` must be
 *   pinned to the environment id, and `sts:TagSession` must be allowed for that role.
 * - `{ principalArn, externalId? }`: a self-hosted Restate server running as this IAM role (or
 *   user). With `externalId`, `sts:ExternalId` must be pinned to it; without, a policy with no
 *   external id passes with a warning.
 */
export type TrustExpectations =
  | { readonly environmentId: string; readonly principalArn?: undefined; readonly externalId?: undefined }
  | { readonly principalArn: string; readonly externalId?: string; readonly environmentId?: undefined };

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const FEDERATED_ACTIONS = ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];
// Operators that pin a key to the listed values when the values hold no wildcard or variable.
const PINNING_OPERATORS = new Set(["StringEquals", "ArnEquals", "ArnLike", "StringLike"]);

interface Intended {
  readonly cloud: boolean;
  readonly arn: string;
  readonly partition: string;
  readonly account: string;
  readonly externalId: string | undefined;
}

function intendedFrom(expectations: TrustExpectations): Intended {
  if (!expectations || typeof expectations !== "object") {
    throw new InvokerRoleError(
      "invalid_option",
      "checkTrustPolicy needs { environmentId } or { principalArn, externalId? }",
    );
  }
  // A check against something other than what the caller named would pass the wrong policy.
  if (
    expectations.environmentId !== undefined &&
    (expectations.principalArn !== undefined || expectations.externalId !== undefined)
  ) {
    throw new InvokerRoleError(
      "invalid_option",
      "give environmentId (Restate Cloud, whose external id is the environment id) or principalArn with an optional externalId, not both",
    );
  }
  if (expectations.environmentId !== undefined) {
    assertEnvironmentId(expectations.environmentId);
    return {
      cloud: true,
      arn: RESTATE_CLOUD_PRINCIPAL_ARN,
      partition: "aws",
      account: RESTATE_CLOUD_PRINCIPAL_ARN.split(":")[4] as string,
      externalId: expectations.environmentId,
    };
  }
  const principal = parsePrincipalArn(expectations.principalArn);
  if (expectations.externalId !== undefined) assertExternalId(expectations.externalId);
  return {
    cloud: false,
    arn: principal.arn,
    partition: principal.partition,
    account: principal.accountId,
    externalId: expectations.externalId,
  };
}

/**
 * Analyses a role trust policy against what it should allow, and reports findings with severities.
 * It fails closed: the report is `ok` only when every `Allow` statement is one this check fully
 * understands and none of them lets anyone but the intended principal assume the role.
 *
 * What fails (severity `error`): another principal, a whole account or `*` not pinned with
 * `aws:PrincipalArn`; `sts:ExternalId` missing (when one is expected, and always for Restate
 * Cloud), different, optional (`…IfExists`), case-insensitive, a pattern, a policy variable or under
 * a set operator (`ForAllValues:` is true when the key is absent); `sts:AssumeRoleWithWebIdentity`
 * or `sts:AssumeRoleWithSAML`; any action other than `sts:AssumeRole` and `sts:TagSession`
 * (wildcards included); `NotPrincipal`/`NotAction`; elements, principal types or shapes it does not
 * know; and no statement that lets the intended principal in. `Deny` statements are reported
 * (`info`) and not credited.
 *
 * @param policy A document, its JSON text, the URL-encoded form the IAM API returns, or the whole
 *   `aws iam get-role` output.
 * @param expectations What the policy is meant to allow: `{ environmentId }` for Restate Cloud, or
 *   `{ principalArn, externalId? }` for a self-hosted server (see {@link TrustExpectations}).
 *
 * @example
 * ```ts
 * import { checkTrustPolicy, formatReport } from "@restate-connect/lambda-invoker-role";
 *
 * const getRoleOutput = `{"Role":{"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]}}}`;
 * const report = checkTrustPolicy(getRoleOutput, { environmentId: "env_201hy10cd3h6426jy80tb32n6en" });
 * if (!report.ok) process.stdout.write(formatReport(report));
 * ```
 */
export function checkTrustPolicy(policy: unknown, expectations: TrustExpectations): CheckReport {
  const intended = intendedFrom(expectations);
  const findings = new Findings();
  const document = readPolicyDocument(policy);
  const statements = statementsOf(document);
  documentFindings(document, statements, findings);
  let intendedAssume = false;
  let intendedTag = false;
  for (const { label, raw } of statements) {
    const covers = checkStatement(raw, label, intended, findings);
    intendedAssume ||= covers.assume;
    intendedTag ||= covers.tag;
  }
  if (!intendedAssume) {
    findings.add("error", "intended_principal_not_allowed", `no statement lets ${intended.arn} assume the role`);
  }
  if (intended.cloud && !intendedTag) {
    findings.add(
      "error",
      "tag_session_missing",
      "Restate Cloud tags its sessions: allow sts:TagSession for its principal",
    );
  }
  return findings.report();
}

/** Checks one statement; returns whether it lets the intended principal assume the role / tag sessions. */
function checkStatement(
  raw: JsonObject,
  label: string,
  intended: Intended,
  findings: Findings,
): { assume: boolean; tag: boolean } {
  const none = { assume: false, tag: false };
  const add = (severity: Severity, code: Parameters<Findings["add"]>[1], message: string) =>
    findings.add(severity, code, message, label);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) add("error", "unsupported_element", `${describeValue(key)} in a trust statement`);
  }
  if (raw.Effect === "Deny") {
    add("info", "deny_statement", "Deny statement present; this check does not credit it");
    return none;
  }
  if (raw.Effect !== "Allow") {
    add("error", "malformed_statement", `Effect must be "Allow" or "Deny", got ${describeValue(raw.Effect)}`);
    return none;
  }
  if (raw.NotPrincipal !== undefined || raw.NotAction !== undefined) {
    add("error", "negated_element", "Allow with NotPrincipal/NotAction trusts far more than intended");
    return none;
  }
  const actions = stringList(raw.Action);
  const entries = conditionEntries(raw);
  const principals = principalsOf(raw.Principal);
  if (!actions || actions.length === 0 || !entries || !principals) {
    add(
      "error",
      "malformed_statement",
      "Action, Principal and Condition must be strings, lists of strings and objects as IAM defines them",
    );
    return none;
  }

  let assumes = false;
  let tags = false;
  for (const action of actions) {
    const federated = FEDERATED_ACTIONS.filter((name) => actionMatches(action, name));
    const exact = action.toLowerCase();
    if (federated.length > 0) {
      add(
        "error",
        "federated_trust",
        `${describeValue(action)} allows ${federated.join(" and ")}: identities of an identity provider could assume the role, which this check does not analyse`,
      );
    }
    if (exact === "sts:assumerole") assumes = true;
    else if (exact === "sts:tagsession") tags = true;
    else {
      const coversAssume = actionMatches(action, "sts:AssumeRole");
      const coversTag = actionMatches(action, "sts:TagSession");
      assumes ||= coversAssume;
      tags ||= coversTag;
      if (coversAssume || coversTag) {
        add("error", "broad_action", `wildcard action ${describeValue(action)} allows more than it names`);
      } else if (federated.length === 0) {
        add("error", "unsupported_action", `${describeValue(action)} is not sts:AssumeRole or sts:TagSession`);
      }
    }
  }
  if (!assumes && !tags) return none;

  const principalArnEntries = entriesOn(entries, "aws:PrincipalArn");
  const bound = principalArnEntries.some((entry) => pins(entry, intended.arn));
  // Principals that may only tag sessions cannot assume the role: a warning, not an error.
  const severity: Severity = assumes ? "error" : "warning";
  let coversIntended = false;
  for (const principal of principals) {
    if (principal.type !== "AWS") {
      add(severity, "unexpected_principal", `trusts ${principal.type} principal ${describeValue(principal.value)}`);
      continue;
    }
    if (principal.value === "*") {
      if (bound) coversIntended = true;
      else add(severity, "wildcard_principal", 'Principal "*" lets any AWS account assume the role');
      continue;
    }
    if (principal.value === intended.arn) {
      coversIntended = true;
      continue;
    }
    const isIntendedRoot =
      principal.value === intended.account ||
      principal.value === `arn:${intended.partition}:iam::${intended.account}:root`;
    if (isIntendedRoot) {
      // The account root covers the intended principal, and every other principal of that account.
      coversIntended = true;
      if (!bound) {
        add(
          severity,
          "principal_not_bound",
          `trusts every principal of account ${intended.account}; bind it with StringEquals aws:PrincipalArn = ${intended.arn}`,
        );
      }
      continue;
    }
    add(severity, "unexpected_principal", `trusts ${describeValue(principal.value)}, which is not ${intended.arn}`);
  }
  if (principalArnEntries.length > 0 && !bound) {
    add(
      severity,
      "unexpected_principal",
      `aws:PrincipalArn condition does not pin exactly ${intended.arn} (StringEquals or ArnEquals, one value, no wildcard, variable or set operator)`,
    );
  }
  if (!assumes) return { assume: false, tag: coversIntended };
  if (raw.Condition === undefined) add("warning", "unconditioned_assume_role", "sts:AssumeRole without any Condition");
  checkExternalId(entriesOn(entries, "sts:ExternalId"), intended, add);
  return { assume: coversIntended, tag: tags && coversIntended };
}

/** Every principal of a `Principal` element, or undefined when it is not one IAM accepts. */
function principalsOf(principal: JsonObject[string] | undefined): { type: string; value: string }[] | undefined {
  if (principal === "*") return [{ type: "AWS", value: "*" }];
  if (!principal || typeof principal !== "object" || Array.isArray(principal)) return undefined;
  const found: { type: string; value: string }[] = [];
  for (const [type, values] of Object.entries(principal)) {
    const list = stringList(values);
    if (!PRINCIPAL_TYPES.has(type) || !list) return undefined;
    for (const value of list) found.push({ type, value });
  }
  return found.length > 0 ? found : undefined;
}

/** Whether one condition entry restricts its key to exactly `expected`. */
function pins(entry: ConditionEntry, expected: string): boolean {
  return (
    PINNING_OPERATORS.has(entry.operator) &&
    entry.values !== undefined &&
    entry.values.length > 0 &&
    entry.values.every((value) => value === expected && !hasPolicyVariable(value) && !/[*?]/.test(value))
  );
}

function checkExternalId(
  entries: readonly ConditionEntry[],
  intended: Intended,
  add: (severity: Severity, code: Parameters<Findings["add"]>[1], message: string) => void,
): void {
  const expected = intended.externalId;
  if (entries.length === 0) {
    if (expected !== undefined) {
      add(
        "error",
        "missing_external_id",
        "no sts:ExternalId condition: anyone who can make the principal assume roles could use this one (confused deputy)",
      );
    } else {
      add(
        "warning",
        "missing_external_id",
        "no sts:ExternalId condition; consider configuring aws-assume-role-external-id on the server",
      );
    }
    return;
  }
  for (const { operator, values } of entries) {
    const setOperator = /^For(?:AnyValue|AllValues):/.exec(operator)?.[0];
    const base = setOperator ? operator.slice(setOperator.length) : operator;
    if (values === undefined) {
      add("error", "malformed_statement", `${operator} on sts:ExternalId must compare with strings`);
      continue;
    }
    if (setOperator === "ForAllValues:") {
      add(
        "error",
        "external_id_optional",
        `${operator} on the single-valued sts:ExternalId is true when no external id is sent at all`,
      );
    } else if (setOperator) {
      add("error", "set_operator", `${operator}: set operators do not belong on the single-valued sts:ExternalId`);
    }
    if (/IfExists$/.test(base)) {
      add("error", "external_id_optional", `${operator} passes when no external id is sent at all`);
    } else if (base === "StringEqualsIgnoreCase") {
      add("error", "external_id_case_insensitive", `${operator} compares the external id case-insensitively`);
    } else if (values.some(hasPolicyVariable)) {
      add("error", "policy_variable", `${operator} on sts:ExternalId uses a policy variable (\${…})`);
    } else if (base === "StringLike" && values.some((value) => /[*?]/.test(value))) {
      add("error", "external_id_pattern", `${operator} with a wildcard accepts many external ids`);
    } else if (base !== "StringEquals" && base !== "StringLike") {
      add("error", "external_id_pattern", `${operator} does not pin the external id to one value`);
    } else if (base === "StringLike") {
      add("warning", "external_id_pattern", `use plain StringEquals for sts:ExternalId instead of ${operator}`);
    }
    if (expected !== undefined && (values.length !== 1 || values[0] !== expected)) {
      add(
        "error",
        "external_id_mismatch",
        `sts:ExternalId is bound to ${values.map((value) => describeValue(value)).join(", ") || "nothing"}, expected ${describeValue(expected)}`,
      );
    }
  }
}
