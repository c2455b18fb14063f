// The attendee desk's one query: an event's participations with the buyer, order, payment and
// ticket type, filtered by status and a name/email prefix; the list and the CSV both page it.
import { sql } from "kysely";
import * as z from "zod";
import type { Db } from "../db/client";
import { PARTICIPATION_STATUSES, type ParticipationStatus } from "../ticketing/ticketing.table";
import { plainText, uuid } from "../shared/validation";
import { isoMicros, orderSummary, selectParticipations } from "../ticketing/views";

/** Which of an event's participants the list and the CSV show. */
export const AttendeeFilter = z.object({
  eventId: uuid(),
  status: z.enum(PARTICIPATION_STATUSES).optional().meta({ description: "Only participations with this status" }),
  q: plainText(1, 200).optional().meta({ description: "Case-insensitive prefix of the buyer's or a ticket holder's name or email" }),
});
export type AttendeeFilter = z.output<typeof AttendeeFilter>;

/** LIKE treats % and _ as wildcards and \ as the escape: a search for "a_b" means exactly that. */
const likePrefix = (q: string) => `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Matching participation ids, each branch served by a `lower(...) text_pattern_ops` index (users'
 * email and name; tickets' holder name and email per event) instead of a scan of the event.
 */
const matching = (eventId: string, q: string) => {
  const prefix = likePrefix(q);
  return sql<string>`(
    SELECT p2.id FROM users u2 JOIN participations p2 ON p2.user_id = u2.id AND p2.event_id = ${eventId}
    WHERE lower(u2.email) LIKE ${prefix} OR lower(u2.display_name) LIKE ${prefix}
    UNION
    SELECT t.participation_id FROM tickets t
    WHERE t.event_id = ${eventId} AND (lower(t.holder_name) LIKE ${prefix} OR lower(t.holder_email) LIKE ${prefix}))`;
};

/**
 * Keyset pages in registration order, `after` being the (created_at, id) of the previous row: the
 * participation with its buyer, latest order and payment. Unexecuted, so the list can wrap it.
 */
export function attendeeQuery(db: Db, filter: AttendeeFilter, after: { key: string; id: string } | undefined, limit: number) {
  return selectParticipations(db)
    .innerJoin("users as u", "u.id", "p.userId")
    .leftJoinLateral(orderSummary, (join) => join.onTrue())
    .select([
      "u.email",
      "u.displayName as name",
      "pm.orderId",
      "pm.paymentId",
      "pm.paymentStatus",
      "pm.amountPaidMinor",
      "pm.currency",
      isoMicros("p.createdAt").as("sortKey"),
    ])
    .where("p.eventId", "=", filter.eventId)
    .$if(filter.status !== undefined, (qb) => qb.where("p.status", "=", filter.status as ParticipationStatus))
    .$if(filter.q !== undefined, (qb) => qb.where("p.id", "in", matching(filter.eventId, filter.q as string)))
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(p.created_at, p.id) > (${after?.key}::timestamptz, ${after?.id}::uuid)`))
    .orderBy("p.createdAt")
    .orderBy("p.id")
    .limit(limit);
}

/** One page of the attendee query with the ticket type's name (the CSV export's rows). */
export const attendeeRows = (db: Db, filter: AttendeeFilter, after: { key: string; id: string } | undefined, limit: number) =>
  attendeeQuery(db, filter, after, limit)
    .leftJoin("ticketTypes as tt", "tt.id", "p.ticketTypeId")
    .select("tt.name as ticketTypeName")
    .execute();

export type AttendeeRow = Awaited<ReturnType<typeof attendeeRows>>[number];
