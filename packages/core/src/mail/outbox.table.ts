// Kysely table type of the mail outbox: one row per message a state change owes someone.
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export const MAIL_KINDS = [
  "rsvp_confirmed",
  "waitlist_joined",
  "waitlist_promoted",
  "order_confirmed",
  "hold_expired",
  "order_cancelled",
  "refund_issued",
  "event_cancelled",
  "event_changed",
  "event_reminder",
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export type OutboxStatus = "pending" | "sent" | "failed";

export interface OutboxTable {
  id: Generated<string>;
  kind: MailKind;
  recipient: string;
  recipientUserId: string | null;
  /** Stored as jsonb; what the templates render. */
  payload: ColumnType<Record<string, unknown>, string, string>;
  dedupeKey: string;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  lockedUntil: Date | null;
  sendingSince: Date | null;
  sentAt: Date | null;
  providerMessageId: string | null;
  lastError: string | null;
  eventId: string | null;
  participationId: string | null;
  orderId: string | null;
  refundId: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
