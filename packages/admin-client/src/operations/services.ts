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
  /**
   * Replaces the whole K/V state of one virtual object or workflow key. Restate accepts the change
   * (202) and applies it asynchronously. With `version` (as read from `state` through `query`), the
   * change is refused when the object's state is no longer at that version. Not retried: a retry of
   * an applied change could be refused as a conflict.
   *
   * @example
   * await admin.services.modifyState("Cart", { objectKey: "ada", newState: { items: bytes } });
   */
  modifyState(service: string, change: StateChange): Promise<void>;
}

/** The new state of one object key; values are the raw stored bytes. */
export interface StateChange {
  objectKey: string;
  newState: Readonly<Record<string, Uint8Array>>;
  /** Optimistic concurrency: the state version the change was computed from. */
  version?: string;
  /** The scoped object instance to change (Restate ≥ 1.7). */
  scope?: string;
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
    async modifyState(name, change) {
      const newState: Record<string, number[]> = {};
      for (const [key, value] of Object.entries(change.newState)) newState[key] = Array.from(value);
      await transport.request<void>({
        method: "POST",
        path: `/services/${segment("name", name)}/state`,
        body: {
          object_key: change.objectKey,
          new_state: newState,
          ...(change.version === undefined ? {} : { version: change.version }),
          ...(change.scope === undefined ? {} : { scope: change.scope }),
        },
        idempotent: false,
        json: false,
      });
    },
  };
}
