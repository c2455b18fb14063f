// Kysely table types for tickets (one per seat of an active participation) and door staff.
import type { ColumnType, Generated, Selectable } from "kysely";

export type TicketStatus = "valid" | "void";
export type StaffRole = "checker";

/** Rows are written by the participations trigger (migration 0011); code only assigns holders and checks in. */
export interface TicketsTable {
  id: Generated<string>;
  participationId: string;
  eventId: string;
  ticketTypeId: string | null;
  seat: number;
  /** Null: the buyer's own seat, shown with the buyer's current name and email. */
  holderName: string | null;
  holderEmail: string | null;
  status: Generated<TicketStatus>;
  /** Set exactly while void (tickets_voided_at_check). */
  voidedAt: Date | null;
  checkedInAt: Date | null;
  checkedInBy: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface EventStaffTable {
  eventId: string;
  userId: string;
  role: Generated<StaffRole>;
  createdBy: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type Ticket = Selectable<TicketsTable>;
export type EventStaff = Selectable<EventStaffTable>;
