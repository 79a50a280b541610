import * as restate from "@restatedev/restate-sdk";
import { type Charge, type ChargeRequest, chargeCard } from "./card-processor.ts";

/** What a customer tells us once; the card number is the sensitive part Restate must never see in clear. */
export interface CustomerProfile {
  name: string;
  email: string;
  cardNumber: string;
}

export interface CheckoutRequest {
  customerId: string;
  amountCents: number;
  description: string;
}

/** The customer's confirmation (think 3-D Secure), delivered from outside while the workflow waits. */
export interface Approval {
  approvedBy: string;
  code: string;
}

export interface Receipt {
  paymentId: string;
  chargeId: string;
  customer: string;
  cardLast4: string;
  amountCents: number;
  description: string;
  approvedBy: string;
}

/**
 * Virtual object keyed by customer id. Its state (`profile`) holds the card number: with the journal
 * codec in place, Restate stores it only as ciphertext.
 */
export const customer = restate.object({
  name: "customer",
  handlers: {
    saveProfile: async (ctx: restate.ObjectContext, profile: CustomerProfile): Promise<string> => {
      validateProfile(profile);
      ctx.set("profile", profile);
      return `profile of ${profile.name} saved (card ending ${profile.cardNumber.slice(-4)})`;
    },
    profile: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<CustomerProfile> => {
      const profile = await ctx.get<CustomerProfile>("profile");
      if (profile === null) throw new restate.TerminalError(`no profile for customer ${ctx.key}`, { errorCode: 404 });
      return profile;
    }),
  },
});

/** The card processor the payment workflow charges through (inside `ctx.run`). */
export type ChargeCard = (request: ChargeRequest) => Promise<Charge>;

/**
 * Workflow keyed by payment id: reads the customer's profile (a call to the object), waits for the
 * customer's approval (a durable promise), then charges the card exactly once (`ctx.run`) through
 * `charge` (the stand-in processor unless another is given).
 */
export function createPaymentWorkflow(charge: ChargeCard = chargeCard) {
  return restate.workflow({
    name: "payment",
    handlers: {
      run: async (ctx: restate.WorkflowContext, request: CheckoutRequest): Promise<Receipt> => {
        validateCheckout(request);
        const profile = await ctx.objectClient(customer, request.customerId).profile();
        ctx.set("status", "awaiting approval");
        const approval = await ctx.promise<Approval>("approval");
        const charged = await ctx.run("charge card", () =>
          charge({ cardNumber: profile.cardNumber, amountCents: request.amountCents, idempotencyKey: ctx.key }),
        );
        ctx.set("status", "paid");
        return {
          paymentId: ctx.key,
          chargeId: charged.chargeId,
          customer: profile.name,
          cardLast4: profile.cardNumber.slice(-4),
          amountCents: request.amountCents,
          description: request.description,
          approvedBy: approval.approvedBy,
        };
      },
      approve: async (ctx: restate.WorkflowSharedContext, approval: Approval): Promise<void> => {
        await ctx.promise<Approval>("approval").resolve(approval);
      },
      status: async (ctx: restate.WorkflowSharedContext): Promise<string> => {
        return (await ctx.get<string>("status")) ?? "not started";
      },
    },
  });
}

export const payment = createPaymentWorkflow();

/** Every service of this example; `charge` replaces the card processor (e.g. to count charges). */
export function createServices(charge: ChargeCard = chargeCard) {
  return [customer, createPaymentWorkflow(charge)];
}

export const services = [customer, payment];

function validateProfile(profile: CustomerProfile): void {
  if (typeof profile !== "object" || profile === null) throw new restate.TerminalError("profile must be an object");
  for (const field of ["name", "email", "cardNumber"] as const) {
    if (typeof profile[field] !== "string" || profile[field] === "") {
      throw new restate.TerminalError(`profile.${field} must be a non-empty string`);
    }
  }
  if (!/^\d{12,19}$/.test(profile.cardNumber))
    throw new restate.TerminalError("profile.cardNumber must be 12–19 digits");
}

function validateCheckout(request: CheckoutRequest): void {
  if (typeof request !== "object" || request === null) throw new restate.TerminalError("request must be an object");
  if (typeof request.customerId !== "string" || request.customerId === "") {
    throw new restate.TerminalError("customerId must be a non-empty string");
  }
  if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
    throw new restate.TerminalError("amountCents must be a positive integer");
  }
  if (typeof request.description !== "string") throw new restate.TerminalError("description must be a string");
}
