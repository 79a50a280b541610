import { describeValue, InvokerRoleError } from "./errors.js";

// CloudFormation resolves `{{resolve:service:reference}}` in template strings at deploy time (SSM
// parameters, Secrets Manager secrets) and has no escape for it. IAM paths (the role's, and the
// trusted principal's) may spell one.
const DYNAMIC_REFERENCE = /\{\{\s*resolve\s*:/i;

/**
 * Throws `unrenderable_value` when any string in `value` (object keys included) holds a
 * CloudFormation dynamic reference: every template this package emits, directly or through CDK,
 * must carry such text as data, which CloudFormation offers no way to do.
 */
export function refuseDynamicReferences(value: unknown, what = "value"): void {
  if (typeof value === "string") {
    if (DYNAMIC_REFERENCE.test(value)) {
      throw new InvokerRoleError(
        "unrenderable_value",
        `${what} ${describeValue(value)} contains a CloudFormation dynamic reference ({{resolve:…}}), which CloudFormation would resolve at deploy time`,
      );
    }
  } else if (Array.isArray(value)) {
    for (const item of value) refuseDynamicReferences(item, what);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      refuseDynamicReferences(key, what);
      refuseDynamicReferences(item, what);
    }
  }
}
