import type { Transport } from "../transport.js";
import type { CreateSubscriptionRequest, SubscriptionResponse } from "../types.js";
import { segment } from "../validate.js";

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
      const answer = await transport.request<{ subscriptions: SubscriptionResponse[] }>({
        method: "GET",
        path: "/subscriptions",
        query: { sink: filter?.sink, source: filter?.source },
        idempotent: true,
      });
      return answer.body.subscriptions;
    },
    async get(id) {
      const path = `/subscriptions/${segment("id", id)}`;
      return (await transport.request<SubscriptionResponse>({ method: "GET", path, idempotent: true })).body;
    },
    async create(subscription) {
      const answer = await transport.request<SubscriptionResponse>({
        method: "POST",
        path: "/subscriptions",
        body: subscription,
        idempotent: false,
      });
      return answer.body;
    },
    async remove(id) {
      const path = `/subscriptions/${segment("id", id)}`;
      await transport.request<void>({ method: "DELETE", path, idempotent: false, json: false });
    },
  };
}
