export type { FunctionArn, Partition, PrincipalArn } from "./arn.js";
export { parseFunctionArn, parsePrincipalArn } from "./arn.js";
export { formatReport } from "./check/format.js";
export { checkInvokePolicy } from "./check/invoke.js";
export type { CheckReport, Finding, FindingCode, Severity } from "./check/report.js";
export { FINDING_CODES } from "./check/report.js";
export type { TrustExpectations } from "./check/trust.js";
export { checkTrustPolicy } from "./check/trust.js";
export type { InvokerRoleErrorCode } from "./errors.js";
export { INVOKER_ROLE_ERROR_CODES, InvokerRoleError } from "./errors.js";
export type { InvokePolicyOptions } from "./invoke-policy.js";
export { invokePolicy } from "./invoke-policy.js";
export type { PolicyCondition, PolicyDocument, PolicyStatement } from "./policy.js";
export { toAwsCli } from "./render-cli.js";
export type { CloudFormationOptions } from "./render-cloudformation.js";
export { toCloudFormation } from "./render-cloudformation.js";
export { toIamJson } from "./render-iam.js";
export { toTerraform } from "./render-terraform.js";
export type { InvokerRoleOptions, InvokerRoleSpec } from "./role.js";
export { invokerRole } from "./role.js";
export type { RestateCloudTrustOptions, SelfHostedTrustOptions, TrustPolicyInfo } from "./trust-policy.js";
export {
  RESTATE_CLOUD_ACCOUNT_ID,
  RESTATE_CLOUD_PRINCIPAL_ARN,
  restateCloudTrustPolicy,
  selfHostedTrustPolicy,
  trustPolicyInfo,
} from "./trust-policy.js";
