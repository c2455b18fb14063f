// What every message says about its event and recipient, read in the causing transaction.
import type { Trx } from "../db/transaction";

export interface EventFacts {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  location: string | null;
}

export interface MailContext {
  to: string;
  userId: string;
  participation: { id: string; kind: string; status: string; quantity: number; holdExpiresAt: string | null };
  event: EventFacts;
}

/** The participation, its user's address and its event; undefined when the user has no address. */
export async function participationContext(trx: Trx, participationId: string): Promise<MailContext | undefined> {
  const row = await trx
    .selectFrom("participations as p")
    .innerJoin("users as u", "u.id", "p.userId")
    .innerJoin("events as e", "e.id", "p.eventId")
    .select([
      "p.id",
      "p.kind",
      "p.status",
      "p.quantity",
      "p.holdExpiresAt",
      "p.userId",
      "u.email",
      "e.id as eventId",
      "e.title",
      "e.startsAt",
      "e.endsAt",
      "e.timezone",
      "e.location",
    ])
    .where("p.id", "=", participationId)
    .executeTakeFirst();
  if (!row?.email) return undefined;
  return {
    to: row.email,
    userId: row.userId,
    participation: {
      id: row.id,
      kind: row.kind,
      status: row.status,
      quantity: row.quantity,
      holdExpiresAt: row.holdExpiresAt?.toISOString() ?? null,
    },
    event: {
      id: row.eventId,
      title: row.title,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
      timezone: row.timezone,
      location: row.location,
    },
  };
}

/** The order's money facts for receipts and cancellations. */
export const orderFacts = (trx: Trx, orderId: string) =>
  trx
    .selectFrom("orders as o")
    .innerJoin("ticketTypes as t", "t.id", "o.ticketTypeId")
    .select(["o.id", "o.participationId", "o.quantity", "o.amountMinor", "o.currency", "o.promoDiscountMinor", "t.name as ticketTypeName"])
    .where("o.id", "=", orderId)
    .executeTakeFirst();
