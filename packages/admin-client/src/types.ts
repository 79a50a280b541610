import type { components } from "./openapi.generated.js";

/** Schemas of the admin API, generated from the document restate-server serves at `GET /openapi`. */
export type AdminSchemas = components["schemas"];

export type DeploymentResponse = AdminSchemas["DeploymentResponse"];
export type DetailedDeploymentResponse = AdminSchemas["DetailedDeploymentResponse"];
export type RegisterDeploymentRequest = AdminSchemas["RegisterDeploymentRequest"];
export type RegisterDeploymentResponse = AdminSchemas["RegisterDeploymentResponse"];
export type UpdateDeploymentRequest = AdminSchemas["UpdateDeploymentRequest"];
export type ServiceMetadata = AdminSchemas["ServiceMetadata"];
export type ModifyServiceRequest = AdminSchemas["ModifyServiceRequest"];
export type HandlerMetadata = AdminSchemas["HandlerMetadata"];
export type SubscriptionResponse = AdminSchemas["SubscriptionResponse"];
export type CreateSubscriptionRequest = AdminSchemas["CreateSubscriptionRequest"];
export type RestartAsNewInvocationResponse = AdminSchemas["RestartAsNewInvocationResponse"];
export type VersionInformation = AdminSchemas["VersionInformation"];
export type ErrorDescriptionResponse = AdminSchemas["ErrorDescriptionResponse"];
