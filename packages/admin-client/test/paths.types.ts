// Compile-time proof that requests and responses are tied to the generated `paths`: `npm run typecheck`
// (tsc over src and test) fails if any `@ts-expect-error` below stops being an error, i.e. if a wrong
// path, method, parameter or body would compile. Never run, only type-checked.
import type { OperationOf, RequestOptions, ResponseBody } from "../src/paths.js";
import type { Transport } from "../src/transport.js";
import type { DeploymentResponse, DetailedDeploymentResponse } from "../src/types.js";

declare const transport: Transport;

export async function wellTyped(): Promise<void> {
  // Responses come from the document: no type argument, no cast.
  const list = await transport.request("get", "/deployments", { idempotent: true });
  const deployments: DeploymentResponse[] = list.body.deployments;
  const one = await transport.request("get", "/deployments/{deployment}", {
    path: { deployment: "dp_1" },
    idempotent: true,
  });
  const detailed: DetailedDeploymentResponse = one.body;
  const services: string[] = (await transport.request("get", "/services", { idempotent: true })).body.services.map(
    (s) => s.name,
  );
  void [deployments, detailed, services];
  await transport.request("post", "/deployments", { body: { uri: "http://svc", force: false }, idempotent: true });
  await transport.request("patch", "/deployments/{deployment}", {
    path: { deployment: "dp_1" },
    body: { additional_headers: { "x-api-key": "k" } },
    idempotent: true,
  });
  await transport.request("delete", "/deployments/{deployment}", {
    path: { deployment: "dp_1" },
    query: { force: true },
    idempotent: false,
  });
}

export async function wrongPath(): Promise<void> {
  // @ts-expect-error a path the admin API does not serve
  await transport.request("get", "/deployment", { idempotent: true });
  // @ts-expect-error the template, not a filled-in path
  await transport.request("get", "/deployments/dp_1", { idempotent: true });
}

export async function wrongMethod(): Promise<void> {
  // @ts-expect-error /deployments has no DELETE
  await transport.request("delete", "/deployments", { idempotent: false });
  // @ts-expect-error /services/{service} has no POST
  await transport.request("post", "/services/{service}", { path: { service: "S" }, idempotent: false });
  // @ts-expect-error upper-case methods are not the generated keys
  await transport.request("GET", "/deployments", { idempotent: true });
}

export async function wrongParameters(): Promise<void> {
  // @ts-expect-error the {deployment} parameter is required
  await transport.request("get", "/deployments/{deployment}", { idempotent: true });
  // @ts-expect-error the parameter is named `deployment`, not `id`
  await transport.request("get", "/deployments/{deployment}", { path: { id: "dp_1" }, idempotent: true });
  // @ts-expect-error /deployments takes no path parameters
  await transport.request("get", "/deployments", { path: { deployment: "dp_1" }, idempotent: true });
  await transport.request("delete", "/deployments/{deployment}", {
    path: { deployment: "d" },
    // @ts-expect-error DELETE /deployments/{deployment} documents `force`, nothing else
    query: { forced: true },
    idempotent: false,
  });
}

export async function wrongBody(): Promise<void> {
  // @ts-expect-error registration requires a body
  await transport.request("post", "/deployments", { idempotent: true });
  // @ts-expect-error `url` is not a field of RegisterDeploymentRequest
  await transport.request("post", "/deployments", { body: { url: "http://svc" }, idempotent: true });
  // @ts-expect-error `force` is a boolean
  await transport.request("post", "/deployments", { body: { uri: "http://svc", force: "yes" }, idempotent: true });
  // @ts-expect-error GET takes no body
  await transport.request("get", "/services", { body: {}, idempotent: true });
  await transport.request("patch", "/services/{service}", {
    path: { service: "S" },
    // @ts-expect-error `public` of ModifyServiceRequest is a boolean
    body: { public: "no" },
    idempotent: true,
  });
}

export async function wrongResponse(): Promise<void> {
  const answer = await transport.request("get", "/services", { idempotent: true });
  // @ts-expect-error ListServicesResponse has `services`, not `deployments`
  void answer.body.deployments;
  // @ts-expect-error a 202 without content has no body
  const none: { id: string } = (
    await transport.request("delete", "/subscriptions/{subscription}", {
      path: { subscription: "s" },
      idempotent: false,
    })
  ).body;
  void none;
}

// The helper types agree with the document for one operation end to end.
type Update = OperationOf<"/deployments/{deployment}", "patch">;
export const updateOptions: RequestOptions<Update> = { path: { deployment: "d" }, body: {}, idempotent: true };
export const updated: ResponseBody<Update> | undefined = undefined;
