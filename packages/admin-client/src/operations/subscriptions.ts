import { listField, type Transport } from "../transport.js";
import type { CreateSubscriptionRequest, SubscriptionResponse } from "../types.js";

export interface SubscriptionsApi {
  list(filter?: { sink?: string; source?: string }): Promise<SubscriptionResponse[]>;
  get(id: string): Promise<SubscriptionResponse>;
  /**
   * @example
   * await admin.subscriptions.create({ source: "kafka://my-cluster/orders", sink: "service://Orders/handle" });
   */
  create(subscription: CreateSubscriptionRequest): Promise<SubscriptionResponse>;
  remove(id: string): Promise<void>;
}

export function subscriptionsApi(transport: Transport): SubscriptionsApi {
  return {
    async list(filter) {
      const answer = await transport.request("get", "/subscriptions", {
        query: { sink: filter?.sink, source: filter?.source },
        idempotent: true,
      });
      return listField(answer.body, "subscriptions", "GET /subscriptions");
    },
    async get(id) {
      const answer = await transport.request("get", "/subscriptions/{subscription}", {
        path: { subscription: id },
        idempotent: true,
      });
      return answer.body;
    },
    async create(subscription) {
      const answer = await transport.request("post", "/subscriptions", { body: subscription, idempotent: false });
      return answer.body;
    },
    async remove(id) {
      await transport.request("delete", "/subscriptions/{subscription}", {
        path: { subscription: id },
        idempotent: false,
        json: false,
      });
    },
  };
}
