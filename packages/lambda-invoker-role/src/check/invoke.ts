import { parseFunctionArn } from "../arn.js";
import { describeValue } from "../errors.js";
import {
  conditionEntries,
  documentFindings,
  hasPolicyVariable,
  type JsonObject,
  readPolicyDocument,
  statementsOf,
  stringList,
} from "./document.js";
import { type CheckReport, Findings } from "./report.js";

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

/**
 * Whether a resource names functions exactly: a function ARN, optionally with a version or alias, or
 * `…:function:name:*` (every version and alias of that one function, as `invokePolicy` writes it).
 */
function namesFunctions(resource: string): boolean {
  if (hasPolicyVariable(resource)) return false;
  const allVersions = resource.endsWith(":*") ? resource.slice(0, -2) : resource;
  if (/[*?]/.test(allVersions)) return false;
  try {
    const fn = parseFunctionArn(allVersions);
    return allVersions === resource || fn.qualifier === undefined;
  } catch {
    return false;
  }
}

/**
 * Checks an invoke (identity) policy. It fails closed: the report is `ok` only when every `Allow`
 * statement grants exactly `lambda:InvokeFunction` on named functions — a function ARN, one of its
 * versions or aliases, or `…:function:name:*` for all of them. Everything else is an `error`: any
 * other action, any wildcard action (`lambda:*`, `lambda:Invoke*`, `*`), a resource that is `*` or
 * holds a wildcard anywhere else (`arn:*`, `arn:aws:lambda:*:*:function:*`, `function:name*`), a
 * policy variable, `NotAction`/`NotResource`, a `Principal`, or an element this check does not
 * know. Conditions only narrow a grant and are accepted; `Deny` statements are reported (`info`).
 *
 * @example
 * ```ts
 * import { checkInvokePolicy } from "@restate-connect/lambda-invoker-role";
 *
 * const report = checkInvokePolicy({
 *   Version: "2012-10-17",
 *   Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }],
 * });
 * report.ok; // false
 * ```
 */
export function checkInvokePolicy(policy: unknown): CheckReport {
  const findings = new Findings();
  const document = readPolicyDocument(policy);
  const statements = statementsOf(document);
  documentFindings(document, statements, findings);
  for (const { label, raw } of statements) checkStatement(raw, label, findings);
  return findings.report();
}

function checkStatement(raw: JsonObject, label: string, findings: Findings): void {
  const add = (code: Parameters<Findings["add"]>[1], message: string) => findings.add("error", code, message, label);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) add("unsupported_element", `${describeValue(key)} in an identity policy statement`);
  }
  if (raw.Effect === "Deny") {
    findings.add("info", "deny_statement", "Deny statement present; this check does not credit it", label);
    return;
  }
  if (raw.Effect !== "Allow") {
    add("malformed_statement", `Effect must be "Allow" or "Deny", got ${describeValue(raw.Effect)}`);
    return;
  }
  if (raw.NotAction !== undefined || raw.NotResource !== undefined) {
    add("negated_element", "Allow with NotAction/NotResource grants far more than intended");
    return;
  }
  const actions = stringList(raw.Action);
  const resources = stringList(raw.Resource);
  if (!actions || actions.length === 0 || !resources || resources.length === 0 || !conditionEntries(raw)) {
    add("malformed_statement", "Action and Resource must be strings or lists of strings, Condition an object");
    return;
  }
  for (const action of actions) {
    if (/[*?]/.test(action)) add("broad_action", `wildcard action ${describeValue(action)}`);
    else if (action.toLowerCase() !== "lambda:invokefunction") {
      add("unsupported_action", `${describeValue(action)} is not lambda:InvokeFunction`);
    }
  }
  for (const resource of resources) {
    if (resource === "*") add("broad_resource", 'Resource "*" allows invoking every function');
    else if (hasPolicyVariable(resource)) {
      add("policy_variable", `resource ${describeValue(resource)} uses a policy variable (\${…})`);
    } else if (/[*?]/.test(resource) && !namesFunctions(resource)) {
      add("wildcard_function", `resource ${describeValue(resource)} matches more than named functions`);
    } else if (!namesFunctions(resource)) {
      add("unsupported_resource", `resource ${describeValue(resource)} is not a Lambda function ARN`);
    }
  }
}
