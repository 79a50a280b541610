import type { Transport } from "../transport.js";
import type { HandlerMetadata, ModifyServiceRequest, ServiceMetadata } from "../types.js";
import { segment } from "../validate.js";

export interface ServicesApi {
  list(): Promise<ServiceMetadata[]>;
  get(name: string): Promise<ServiceMetadata>;
  /**
   * Changes service settings: `public`, retention, timeouts, retry policy…
   *
   * @example
   * await admin.services.update("Greeter", { public: false, idempotency_retention: "1 day" });
   */
  update(name: string, changes: ModifyServiceRequest): Promise<ServiceMetadata>;
  handlers(name: string): Promise<HandlerMetadata[]>;
  handler(name: string, handler: string): Promise<HandlerMetadata>;
  /** The OpenAPI document Restate generates for the service's ingress endpoints. */
  openapi(name: string): Promise<Record<string, unknown>>;
}

export function servicesApi(transport: Transport): ServicesApi {
  const get = async <T>(path: string) => (await transport.request<T>({ method: "GET", path, idempotent: true })).body;
  return {
    async list() {
      return (await get<{ services: ServiceMetadata[] }>("/services")).services;
    },
    get: async (name) => get<ServiceMetadata>(`/services/${segment("name", name)}`),
    async update(name, changes) {
      const answer = await transport.request<ServiceMetadata>({
        method: "PATCH",
        path: `/services/${segment("name", name)}`,
        body: changes,
        idempotent: true,
      });
      return answer.body;
    },
    async handlers(name) {
      return (await get<{ handlers: HandlerMetadata[] }>(`/services/${segment("name", name)}/handlers`)).handlers;
    },
    handler: async (name, handler) =>
      get<HandlerMetadata>(`/services/${segment("name", name)}/handlers/${segment("handler", handler)}`),
    openapi: async (name) => get<Record<string, unknown>>(`/services/${segment("name", name)}/openapi`),
  };
}
