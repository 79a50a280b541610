/**
 * Resolves the CloudFormation intrinsics a synthesised policy contains (`Ref` to pseudo parameters
 * and resources, `Fn::GetAtt`, `Fn::Join`) to concrete values, as CloudFormation would at deploy
 * time, so the policy can be evaluated by an IAM simulator.
 */
export interface ResolveValues {
  account: string;
  region: string;
  partition?: string;
  /** `Ref` of a resource → its value. */
  refs?: Record<string, string>;
  /** `Fn::GetAtt` → `"LogicalId.Attribute"` → its value. */
  attributes?: Record<string, string>;
}

export function resolveIntrinsics(value: unknown, values: ResolveValues): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, values));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[key, argument]] = entries as [[string, unknown]];
    if (key === "Ref") return resolveRef(String(argument), values);
    if (key === "Fn::GetAtt") {
      const [logicalId, attribute] = argument as [string, string];
      const resolved = values.attributes?.[`${logicalId}.${attribute}`];
      if (resolved === undefined) throw new Error(`no value for Fn::GetAtt ${logicalId}.${attribute}`);
      return resolved;
    }
    if (key === "Fn::Join") {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(resolveIntrinsics(part, values))).join(separator);
    }
    if (key.startsWith("Fn::")) throw new Error(`unsupported intrinsic ${key}`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, values)]));
}

function resolveRef(name: string, values: ResolveValues): string {
  switch (name) {
    case "AWS::AccountId":
      return values.account;
    case "AWS::Region":
      return values.region;
    case "AWS::Partition":
      return values.partition ?? "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    default: {
      const resolved = values.refs?.[name];
      if (resolved === undefined) throw new Error(`no value for Ref ${name}`);
      return resolved;
    }
  }
}
