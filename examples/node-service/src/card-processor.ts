import { createHash } from "node:crypto";

export interface ChargeRequest {
  cardNumber: string;
  amountCents: number;
  /** The processor deduplicates on this, so a retried charge never charges twice. */
  idempotencyKey: string;
}

export interface Charge {
  chargeId: string;
  amountCents: number;
}

/**
 * Stand-in for a card processor's API (the side effect `ctx.run` records). A real service would call
 * its payment provider here; the result is journaled, so a retried workflow never charges again.
 */
export async function chargeCard(request: ChargeRequest): Promise<Charge> {
  const digest = createHash("sha256").update(`${request.idempotencyKey}:${request.amountCents}`).digest("hex");
  return { chargeId: `ch_${digest.slice(0, 16)}`, amountCents: request.amountCents };
}
