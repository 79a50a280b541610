export { CI_METADATA_VARIABLES, ciMetadata } from "./ci-metadata.js";
export type { AdminClient, AdminClientOptions, WaitUntilReadyOptions } from "./client.js";
export { createAdminClient } from "./client.js";
export type { RestateCloudEndpoints, RestateCloudEnvironment, RestateCloudTunnel } from "./cloud.js";
export { restateCloudEndpoints, restateCloudTunnelUrl } from "./cloud.js";
export type { DiscoveryFailure } from "./discovery.js";
export type { AdminClientErrorCode } from "./errors.js";
export {
  ADMIN_CLIENT_ERROR_CODES,
  AdminApiError,
  AdminClientError,
  AdminNetworkError,
  AdminNotReadyError,
  AdminRedirectError,
  AdminTimeoutError,
  DiscoveryError,
  IncompatibleServerError,
  InvalidOptionError,
  InvalidResponseError,
} from "./errors.js";
export type { DeploymentStatus } from "./lifecycle/status.js";
export { DEPLOYMENT_STATUSES } from "./lifecycle/status.js";
export type {
  components as AdminApiComponents,
  operations as AdminApiOperations,
  paths as AdminApiPaths,
} from "./openapi.generated.js";
export type {
  DeploymentsApi,
  DeploymentTarget,
  ListedDeployment,
  RegisterOptions,
  RegisterResult,
} from "./operations/deployments.js";
export type { InvocationsApi } from "./operations/invocations.js";
export type { ServicesApi, StateChange } from "./operations/services.js";
export type { SubscriptionsApi } from "./operations/subscriptions.js";
export type { RetryOptions } from "./retry.js";
export type { RetryEvent } from "./transport.js";
export type * from "./types.js";
export type { ServerVersionInfo } from "./version.js";
export { CLIENT_ADMIN_API_VERSIONS, chooseAdminApiVersion } from "./version.js";
