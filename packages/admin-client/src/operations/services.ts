import { listField, type Transport } from "../transport.js";
import type { HandlerMetadata, ModifyServiceRequest, ServiceMetadata } from "../types.js";

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
  return {
    async list() {
      return listField(
        (await transport.request("get", "/services", { idempotent: true })).body,
        "services",
        "GET /services",
      );
    },
    async get(name) {
      return (await transport.request("get", "/services/{service}", { path: { service: name }, idempotent: true }))
        .body;
    },
    async update(name, changes) {
      const answer = await transport.request("patch", "/services/{service}", {
        path: { service: name },
        body: changes,
        idempotent: true,
      });
      return answer.body;
    },
    async handlers(name) {
      const answer = await transport.request("get", "/services/{service}/handlers", {
        path: { service: name },
        idempotent: true,
      });
      return listField(answer.body, "handlers", "GET /services/{service}/handlers");
    },
    async handler(name, handler) {
      const answer = await transport.request("get", "/services/{service}/handlers/{handler}", {
        path: { service: name, handler },
        idempotent: true,
      });
      return answer.body;
    },
    async openapi(name) {
      const answer = await transport.request("get", "/services/{service}/openapi", {
        path: { service: name },
        idempotent: true,
      });
      // The admin API documents this body as `unknown`: an OpenAPI 3.1 document.
      return answer.body as Record<string, unknown>;
    },
    async modifyState(name, change) {
      const newState: Record<string, number[]> = {};
      for (const [key, value] of Object.entries(change.newState)) newState[key] = Array.from(value);
      await transport.request("post", "/services/{service}/state", {
        path: { service: name },
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
