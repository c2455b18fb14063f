// The order routes' response `{order, participation, payment}` as docs/API.md "Resource shapes" describes it.
import type { Db } from "../db/client";
import { notFound } from "../errors";
import type { PaymentsDeps } from "./deps";
import type { CreatedIntent, HeldOrder } from "./hold.repository";
import { providerIdOf } from "./payments.repository";
import { participationViews, type ParticipationView } from "../ticketing/views";
import { ticketsFor, type TicketView } from "../tickets/views";

export interface OrderView {
  id: string;
  participationId: string;
  ticketTypeId: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  currency: string;
  slidingScalePercent: number;
  promoCode: string | null;
  holdExpiresAt: Date | null;
  createdAt: Date;
}

export interface OrderPaymentView {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  provider: string;
  providerPaymentId: string | null;
  clientSecret?: string | null;
}

export interface OrderResult {
  order: OrderView | null;
  participation: ParticipationView;
  payment: OrderPaymentView | null;
  /** The participation's tickets (one per seat once active). */
  tickets: TicketView[];
}

const orderQuery = (db: Db) =>
  db
    .selectFrom("orders as o")
    .leftJoin("promoCodes as pc", "pc.id", "o.promoCodeId")
    .select([
      "o.id",
      "o.participationId",
      "o.ticketTypeId",
      "o.quantity",
      "o.unitPriceMinor",
      "o.amountMinor",
      "o.currency",
      "o.slidingScalePercent",
      "pc.code as promoCode",
      "o.holdExpiresAt",
      "o.createdAt",
      "o.userId",
    ]);

/**
 * Loads the order (or, for a waitlisted buyer without an order, just the participation) and its
 * latest payment. The client secret is shown only to the buyer (`forUser`).
 */
export async function orderResult(
  deps: Pick<PaymentsDeps, "db" | "cipher">,
  orderId: string | null,
  opts: { participationId?: string; forUser: string; clientSecret?: string | null },
): Promise<OrderResult> {
  const { db, cipher } = deps;
  const row = orderId ? await orderQuery(db).where("o.id", "=", orderId).executeTakeFirst() : undefined;
  if (orderId && !row) throw notFound("Order");
  const participationId = row?.participationId ?? opts.participationId;
  const [participation] = participationId ? await participationViews(db, [participationId]) : [];
  if (!participation) throw notFound("Order");
  let payment: OrderPaymentView | null = null;
  if (row) {
    const p = await db
      .selectFrom("payments")
      .select(["id", "status", "amountMinor", "currency", "provider", "providerPaymentIdEnc", "metadata", "userId"])
      .where("orderId", "=", row.id)
      .orderBy("createdAt", "desc")
      .limit(1)
      .executeTakeFirst();
    if (p) {
      const isBuyer = p.userId === opts.forUser;
      const storedSecret = typeof p.metadata.clientSecretEnc === "string" ? cipher.decrypt(p.metadata.clientSecretEnc) : null;
      payment = {
        id: p.id,
        status: p.status,
        amountMinor: p.amountMinor,
        currency: p.currency,
        provider: p.provider,
        providerPaymentId: providerIdOf(cipher, p.providerPaymentIdEnc),
        ...(isBuyer ? { clientSecret: opts.clientSecret ?? storedSecret } : {}),
      };
    }
  }
  const { userId: _buyer, ...order } = row ?? { userId: null };
  const tickets = (await ticketsFor(db, [participation.id])).get(participation.id) ?? [];
  return { order: row ? (order as OrderView) : null, participation, payment, tickets };
}

/**
 * The answer to a hold this request just placed, built from the rows the hold returned and the
 * intent the provider gave back: nothing is read again. A pending hold has no tickets yet.
 */
export function heldOrderResult(held: HeldOrder, intent: CreatedIntent): OrderResult {
  const { order, participation, payment } = held;
  return {
    order: { ...order, holdExpiresAt: new Date(order.holdExpiresAt), createdAt: new Date(order.createdAt) },
    participation,
    payment: { ...payment, providerPaymentId: intent.id, clientSecret: intent.clientSecret },
    tickets: [],
  };
}
