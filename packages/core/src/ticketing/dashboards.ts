// The member's dashboard of upcoming events, keyset-paginated (the organizer's participant list
// lives with the attendee desk).
import { sql } from "kysely";
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { parseInput } from "../shared/validation";
import type { ParticipationStatus } from "./ticketing.table";
import { ticketsColumn, withTicketViews, type TicketView } from "../tickets/views";
import { isoMicros, paymentSummary, selectParticipations, toParticipationView, type ParticipationView, type PaymentSummary } from "./views";

export interface DashboardItem extends ParticipationView, PaymentSummary {
  tickets: TicketView[];
  event: { id: string; title: string; startsAt: string; location: string | null };
  /** The event's start minus its cancellation cutoff: after it, paid orders can no longer be cancelled by the buyer. */
  cancellationDeadline: string;
}

/** Statuses that still hold a place at an upcoming event, or a place in its queue. */
const LIVE: ParticipationStatus[] = ["active", "pending", "waitlisted"];

export const MyParticipationsInput = z.object(pageFields());

/**
 * The caller's upcoming events (the member's dashboard): live participations only — active,
 * pending (seats held for payment) and waitlisted — soonest event first.
 */
export async function myParticipations(
  db: Db,
  actor: Actor,
  input: z.input<typeof MyParticipationsInput> = {},
): Promise<Page<DashboardItem>> {
  const page = parseInput(MyParticipationsInput, input);
  const after = decodeCursor("mine", page.cursor);
  const rows = await selectParticipations(db)
    .innerJoin("events as e", "e.id", "p.eventId")
    .leftJoinLateral(paymentSummary, (join) => join.onTrue())
    .select([
      "e.title",
      "e.startsAt",
      "e.location",
      sql<Date>`e.starts_at - make_interval(hours => e.cancellation_cutoff_hours)`.as("cancellationDeadline"),
      isoMicros("e.startsAt").as("sortKey"),
      "pm.paymentStatus",
      "pm.amountPaidMinor",
      "pm.currency",
      ticketsColumn.as("tickets"),
    ])
    .where("p.userId", "=", actor.userId)
    .where("p.status", "in", LIVE)
    .where("e.startsAt", ">", sql<Date>`now()`)
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(e.starts_at, p.id) > (${after?.key}::timestamptz, ${after?.id}::uuid)`))
    .orderBy("e.startsAt")
    .orderBy("p.id")
    .limit(page.limit + 1)
    .execute();
  const { items, nextCursor } = toPage("mine", rows, page.limit, (row) => row);
  const signed = await withTicketViews(items);
  return {
    items: signed.map((row) => ({
      ...toParticipationView(row),
      tickets: row.tickets,
      event: { id: row.eventId, title: row.title, startsAt: row.startsAt.toISOString(), location: row.location },
      paymentStatus: row.paymentStatus ?? null,
      amountPaidMinor: row.amountPaidMinor ?? null,
      currency: row.currency ?? null,
      cancellationDeadline: row.cancellationDeadline.toISOString(),
    })),
    nextCursor,
  };
}
