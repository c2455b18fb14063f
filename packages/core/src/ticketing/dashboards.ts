// Participation lists from seed 000's sample queries: the member's dashboard of upcoming events
// (the organizer's participant list lives with the attendee desk), keyset-paginated.
import { sql } from "kysely";
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { DomainError } from "../errors";
import type { ParticipationStatus } from "./ticketing.table";
import { ticketsFor, type TicketView } from "../tickets/views";
import { isoMicros, paymentSummary, selectParticipations, toParticipationView, type ParticipationView, type PaymentSummary } from "./views";

export interface PageInput {
  /** 1–100; the HTTP schema enforces the bounds and the default. */
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface DashboardItem extends ParticipationView, PaymentSummary {
  tickets: TicketView[];
  event: { id: string; title: string; startsAt: string; location: string | null };
  /** The event's start minus its cancellation cutoff: after it, paid orders can no longer be cancelled by the buyer. */
  cancellationDeadline: string;
}

/** Statuses that still hold a place at an upcoming event, or a place in its queue. */
const LIVE: ParticipationStatus[] = ["active", "pending", "waitlisted"];

// Cursors carry the sort key as the database rendered it (microseconds) plus the row id, tagged
// with their list so one list's cursor is refused by the other rather than misread.
const Cursor = z.strictObject({ l: z.string(), k: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), i: z.uuid() });

const encodeCursor = (list: string, key: string, id: string) =>
  Buffer.from(JSON.stringify({ l: list, k: key, i: id })).toString("base64url");

export function decodeCursor(list: string, value: string | undefined): { key: string; id: string } | undefined {
  if (value === undefined) return undefined;
  let parsed: z.ZodSafeParseResult<z.output<typeof Cursor>> | undefined;
  try {
    parsed = Cursor.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.l !== list) {
    throw new DomainError("validation_failed", "The request query is invalid", {
      errors: [{ path: "cursor", message: "Not a cursor this list issued" }],
    });
  }
  return { key: parsed.data.k, id: parsed.data.i };
}

/** Fetches one row more than asked to learn whether another page exists. */
export function toPage<R extends { id: string; sortKey: string }, T>(list: string, rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(list, last.sortKey, last.id) : null };
}

/**
 * The caller's upcoming events (the member's dashboard): live participations only — active,
 * pending (seats held for payment) and waitlisted — soonest event first.
 */
export async function myParticipations(db: Db, actor: Actor, page: PageInput): Promise<Page<DashboardItem>> {
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
    ])
    .where("p.userId", "=", actor.userId)
    .where("p.status", "in", LIVE)
    .where("e.startsAt", ">", sql<Date>`now()`)
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(e.starts_at, p.id) > (${after?.key}::timestamptz, ${after?.id}::uuid)`))
    .orderBy("e.startsAt")
    .orderBy("p.id")
    .limit(page.limit + 1)
    .execute();
  const tickets = await ticketsFor(
    db,
    rows.slice(0, page.limit).map((row) => row.id),
  );
  return toPage("mine", rows, page.limit, (row) => ({
    ...toParticipationView(row),
    tickets: tickets.get(row.id) ?? [],
    event: { id: row.eventId, title: row.title, startsAt: row.startsAt.toISOString(), location: row.location },
    paymentStatus: row.paymentStatus ?? null,
    amountPaidMinor: row.amountPaidMinor ?? null,
    currency: row.currency ?? null,
    cancellationDeadline: row.cancellationDeadline.toISOString(),
  }));
}
