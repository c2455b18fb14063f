// The tickets service: the caller's tickets, giving a seat to someone, QR images and door check-in
// by code. Tickets themselves are created and voided by the participations trigger.
import { sql } from "kysely";
import * as z from "zod";
import { isAdmin, canManage, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { notFound } from "../errors";
import { isCheckerOf } from "../staff/access";
import { fn } from "../shared/fn";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { email, parseInput, plainText } from "../shared/validation";
import { isoMicros } from "../ticketing/views";
import { ticketVoid } from "./codes";
import { qrSvg } from "./qr";
import { selectTickets, toTicketViews, type TicketView } from "./views";

export { checkInByCode, type TicketCheckIn, type TicketCheckInResult } from "./check-in";
export { ticketsFor, type TicketView } from "./views";
export { ticketCodes, createTicketCodes, type TicketCodes } from "./codes";
export {
  useTicketKeys,
  parseTicketKeySet,
  generateTicketKey,
  rotateTicketKeys,
  publicJwks,
  loadTicketKeys,
  type TicketKeySet,
} from "./keys";

export interface MyTicket extends TicketView {
  event: { id: string; title: string; startsAt: string; location: string | null };
}

export const MyTicketsInput = z.object(pageFields());

/** The caller's valid tickets (theirs as buyer), soonest event first. */
async function mine(db: Db, actor: Actor, input: z.input<typeof MyTicketsInput> = {}): Promise<Page<MyTicket>> {
  const page = parseInput(MyTicketsInput, input);
  const after = decodeCursor("tickets", page.cursor);
  const rows = await selectTickets(db)
    .innerJoin("events as e", "e.id", "t.eventId")
    .select(["e.title", "e.startsAt", "e.location", isoMicros("e.startsAt").as("sortKey")])
    .where("p.userId", "=", actor.userId)
    .where("t.status", "=", "valid")
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(e.starts_at, t.id) > (${after?.key}::timestamptz, ${after?.id}::uuid)`))
    .orderBy("e.startsAt")
    .orderBy("t.id")
    .limit(page.limit + 1)
    .execute();
  const views = new Map((await toTicketViews(rows)).map((t) => [t.id, t]));
  return toPage("tickets", rows, page.limit, (row) => ({
    ...views.get(row.id)!,
    event: { id: row.eventId, title: row.title, startsAt: row.startsAt.toISOString(), location: row.location },
  }));
}
export const myTickets = fn(MyTicketsInput, mine);

async function ticketRow(db: Db, ticketId: string) {
  return selectTickets(db)
    .innerJoin("events as e", "e.id", "t.eventId")
    .select("e.organizerId")
    .where("t.id", "=", ticketId)
    .executeTakeFirst();
}

/** Whom a seat is given to: a name, an email or both. */
export const UpdateTicketHolderInput = z
  .strictObject({ holderName: plainText(1, 200).optional(), holderEmail: email().optional() })
  .refine((b) => b.holderName !== undefined || b.holderEmail !== undefined, { message: "Send holderName, holderEmail or both" });

/** Gives one seat to a person: the buyer only; another user's ticket does not exist for the caller. */
async function updateHolder(db: Db, actor: Actor, ticketId: string, body: z.input<typeof UpdateTicketHolderInput>): Promise<TicketView> {
  const input = parseInput(UpdateTicketHolderInput, body);
  const updated = await db
    .updateTable("tickets as t")
    .set({
      ...(input.holderName !== undefined ? { holderName: input.holderName } : {}),
      ...(input.holderEmail !== undefined ? { holderEmail: input.holderEmail } : {}),
    })
    .from("participations as p")
    .whereRef("p.id", "=", "t.participationId")
    .where("t.id", "=", ticketId)
    .where("p.userId", "=", actor.userId)
    .where("t.status", "=", "valid")
    .returning("t.id")
    .executeTakeFirst();
  const row = await ticketRow(db, ticketId);
  if (!row || row.userId !== actor.userId) throw notFound("Ticket");
  if (!updated) throw ticketVoid();
  const [view] = await toTicketViews([row]);
  return view!;
}
export const updateTicketHolder = fn(UpdateTicketHolderInput, updateHolder);

/** The ticket's code as an SVG QR image, for its buyer, the event's managers and its checkers. */
export async function ticketQr(db: Db, actor: Actor, ticketId: string): Promise<string> {
  const row = await ticketRow(db, ticketId);
  const allowed =
    row &&
    (row.userId === actor.userId ||
      isAdmin(actor) ||
      canManage(actor, row.organizerId) ||
      (await isCheckerOf(db, actor.userId, row.eventId)));
  if (!row || !allowed) throw notFound("Ticket");
  if (row.status === "void") throw ticketVoid();
  const [view] = await toTicketViews([row]);
  return qrSvg(view!.code);
}
