import type { Ingress } from "@restatedev/restate-sdk-clients";
import { type Approval, type CustomerProfile, customer, payment, type Receipt } from "./services.ts";

export interface CheckoutInput {
  customerId: string;
  paymentId: string;
  profile: CustomerProfile;
  amountCents: number;
  description: string;
  approval: Approval;
}

export interface CheckoutResult {
  saved: string;
  receipt: Receipt;
}

/**
 * The whole customer journey through ingress: save the profile (object state), start the payment
 * workflow, deliver the customer's approval (resolves the workflow's durable promise), and wait for
 * the receipt. With a codec on the ingress client every value leaves this process encrypted.
 *
 * @example
 * const ingress = clients.connect({ url: "http://localhost:8080", journalValueCodec: codec });
 * const { receipt } = await runCheckout(ingress, { customerId: "ada", paymentId: "pay-1", … });
 */
export async function runCheckout(ingress: Ingress, input: CheckoutInput): Promise<CheckoutResult> {
  const saved = await ingress.objectClient(customer, input.customerId).saveProfile(input.profile);
  const workflow = ingress.workflowClient(payment, input.paymentId);
  await workflow.workflowSubmit({
    customerId: input.customerId,
    amountCents: input.amountCents,
    description: input.description,
  });
  await workflow.approve(input.approval);
  const receipt = await workflow.workflowAttach();
  return { saved, receipt };
}
