import { type FunctionArn, type Partition, parseFunctionArn } from "./arn.js";
import { InvokerRoleError } from "./errors.js";
import { POLICY_VERSION, type PolicyDocument } from "./policy.js";

export interface InvokePolicyOptions {
  /**
   * Lambda function ARNs. An unqualified ARN grants the function and every version/alias of it
   * (`name` and `name:*`); a qualified ARN (`name:7`, `name:live`) grants exactly that one.
   */
  readonly functionArns: readonly string[];
}

/** Parsed functions, their partition and the policy document. */
export interface InvokePolicyAnalysis {
  readonly partition: Partition;
  readonly functions: readonly FunctionArn[];
  readonly document: PolicyDocument;
}

/** The resources that cover one function as Restate registers it (version-qualified ARNs). */
export function invokeResources(fn: FunctionArn): string[] {
  // `name:*` and never `name*`: the latter would also match other functions like `name-admin`.
  return fn.qualifier === undefined ? [fn.unqualifiedArn, `${fn.unqualifiedArn}:*`] : [fn.arn];
}

/**
 * Least-privilege `lambda:InvokeFunction` on the given functions (and their versions/aliases) only.
 * All functions must be in one partition; duplicates are removed, order is kept.
 *
 * @example
 * ```ts
 * invokePolicy({ functionArns: ["arn:aws:lambda:eu-central-1:123456789012:function:greeter"] });
 * // { Version: "2012-10-17", Statement: [{ Sid: "InvokeRestateServices", Effect: "Allow",
 * //   Action: "lambda:InvokeFunction", Resource: [".../function:greeter", ".../function:greeter:*"] }] }
 * ```
 */
export function invokePolicy(options: InvokePolicyOptions): PolicyDocument {
  return analyseInvokePolicy(options).document;
}

/** `invokePolicy` with the parsed functions and their partition (used by `invokerRole`). */
export function analyseInvokePolicy(options: InvokePolicyOptions): InvokePolicyAnalysis {
  const arns = options?.functionArns;
  if (!Array.isArray(arns) || arns.length === 0) {
    throw new InvokerRoleError("invalid_function_list", "at least one Lambda function ARN is required");
  }
  const functions = arns.map((arn) => parseFunctionArn(arn));
  const partition = functions[0]!.partition;
  const stranger = functions.find((fn) => fn.partition !== partition);
  if (stranger) {
    throw new InvokerRoleError(
      "partition_mismatch",
      `all functions must be in one partition: ${functions[0]!.arn} is in ${partition}, ${stranger.arn} in ${stranger.partition}`,
    );
  }
  const resources = [...new Set(functions.flatMap(invokeResources))];
  if (resources.length > 1000) {
    throw new InvokerRoleError("invalid_function_list", "too many functions for one inline policy (10,240 characters)");
  }
  return {
    partition,
    functions,
    document: {
      Version: POLICY_VERSION,
      Statement: [
        { Sid: "InvokeRestateServices", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: resources },
      ],
    },
  };
}
