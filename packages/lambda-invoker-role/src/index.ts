export type { FunctionArn, ParsedArn, Partition, PrincipalArn } from "./arn.js";
export {
  assertAccountId,
  assertIamName,
  assertIamPath,
  PARTITIONS,
  parseArn,
  parseFunctionArn,
  parsePrincipalArn,
  partitionOfRegion,
} from "./arn.js";
export type { CheckReport, Finding, FindingCode, Severity, TrustExpectations } from "./check.js";
export { checkInvokePolicy, checkTrustPolicy, formatReport, readPolicyDocument } from "./check.js";
export type { InvokerRoleErrorCode } from "./errors.js";
export { InvokerRoleError } from "./errors.js";
export type { InvokePolicyAnalysis, InvokePolicyOptions } from "./invoke-policy.js";
export { analyseInvokePolicy, invokePolicy, invokeResources } from "./invoke-policy.js";
export type { PolicyCondition, PolicyDocument, PolicyStatement } from "./policy.js";
export { POLICY_VERSION } from "./policy.js";
export { shellQuote, toAwsCli } from "./render-cli.js";
export type { CloudFormationOptions } from "./render-cloudformation.js";
export { CLOUDFORMATION_ROLE_ID, cloudFormationTemplate, toCloudFormation } from "./render-cloudformation.js";
export { iamShape, toIamJson } from "./render-iam.js";
export { toTerraform } from "./render-terraform.js";
export type { InvokerRoleOptions, InvokerRoleSpec } from "./role.js";
export { INVOKE_POLICY_NAME, invokerRole } from "./role.js";
export type {
  RestateCloudRegion,
  RestateCloudTrustOptions,
  SelfHostedTrustOptions,
  TrustPolicyInfo,
} from "./trust-policy.js";
export {
  assertEnvironmentId,
  assertExternalId,
  assertRestateCloudRegion,
  RESTATE_CLOUD_ACCOUNT_ID,
  RESTATE_CLOUD_PARTITION,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  RESTATE_CLOUD_REGIONS,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
  trustPolicyInfo,
} from "./trust-policy.js";
export type { YamlValue } from "./yaml.js";
export { toYaml } from "./yaml.js";
