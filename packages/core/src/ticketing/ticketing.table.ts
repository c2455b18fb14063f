// Kysely table types for ticket types, promo codes, participations, their history and check-ins.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { Currency } from "../money";

type JsonObject = Record<string, unknown>;
type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type ParticipationKind = "rsvp" | "ticket";
export const PARTICIPATION_STATUSES = ["pending", "active", "waitlisted", "cancelled", "refunded"] as const;
export type ParticipationStatus = (typeof PARTICIPATION_STATUSES)[number];
export type ParticipationAction = "Created" | "Updated" | "Cancelled" | "Refunded" | "StatusChanged" | "PaymentUpdated";

/** Money columns are bigint minor units and percents numeric(5,2); the db client reads both as numbers. */
export interface TicketTypesTable {
  id: Generated<string>;
  eventId: string;
  name: string;
  priceMinor: number;
  currency: Currency;
  /** Null: limited only by the event's capacity. */
  quantity: number | null;
  quantityTaken: Generated<number>;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  /** Set together with earlyBirdUntil, or neither (ticket_types_early_bird_check). */
  earlyBirdPriceMinor: number | null;
  earlyBirdUntil: Date | null;
  /** Set together with groupDiscountPercent, or neither (ticket_types_group_discount_check). */
  groupMinQuantity: number | null;
  groupDiscountPercent: number | null;
  slidingScaleMaxPercent: Generated<number>;
  minPerOrder: Generated<number>;
  maxPerOrder: Generated<number>;
  active: Generated<boolean>;
  sortOrder: Generated<number>;
  metadata: Generated<JsonObject>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface PromoCodesTable {
  id: Generated<string>;
  eventId: string;
  /** Unique per event case-insensitively: look up with lower(code). */
  code: string;
  /** Exactly one of percentOff and amountOffMinor is set (promo_codes_discount_check). */
  percentOff: number | null;
  amountOffMinor: number | null;
  maxUses: number | null;
  uses: Generated<number>;
  validFrom: Date | null;
  validUntil: Date | null;
  active: Generated<boolean>;
  /** Null: every ticket type of the event. */
  ticketTypeIds: string[] | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface ParticipationsTable {
  id: Generated<string>;
  eventId: string;
  userId: string;
  kind: ParticipationKind;
  status: Generated<ParticipationStatus>;
  /** Seats held (pending), occupied (active) or wanted (waitlisted). */
  quantity: Generated<number>;
  ticketTypeId: string | null;
  /** Required while pending (participations_hold_check). */
  holdExpiresAt: Date | null;
  /** Waitlist order; required while waitlisted (participations_waitlisted_at_check). */
  waitlistedAt: Date | null;
  /** Set exactly when cancelled or refunded (participations_cancelled_at_check). */
  cancelledAt: Date | null;
  cancellationReason: string | null;
  notes: string | null;
  metadata: Generated<JsonObject>;
  createdBy: string | null;
  updatedBy: string | null;
  /** Microsecond precision in the database; a JS Date keeps milliseconds only. */
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** Written only by the participations trigger (plus 'PaymentUpdated' rows from payment code). */
export interface ParticipationHistoryTable {
  id: Generated<string>;
  participationId: string;
  actionType: ParticipationAction;
  /**
   * The whole participation row (to_jsonb) before and after. Stored with snake_case keys; read
   * through the app's Kysely, whose CamelCasePlugin also renames nested keys, they come back camelCase.
   */
  oldValues: JsonObject | null;
  newValues: JsonObject | null;
  changedBy: string | null;
  changeReason: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  // Insertable so the archive job can move rows with their original time.
  createdAt: ColumnType<Date, Date | undefined, never>;
}

/** Same columns as the history; rows are moved here by the archive job with their ids and times. */
export type ParticipationHistoryArchiveTable = ParticipationHistoryTable;

export interface CheckInsTable {
  id: Generated<string>;
  participationId: string;
  checkedInBy: string | null;
  checkedInAt: Generated<Date>;
}

export type TicketType = Selectable<TicketTypesTable>;
export type NewTicketType = Insertable<TicketTypesTable>;
export type TicketTypeUpdate = Updateable<TicketTypesTable>;

export type PromoCode = Selectable<PromoCodesTable>;
export type NewPromoCode = Insertable<PromoCodesTable>;
export type PromoCodeUpdate = Updateable<PromoCodesTable>;

export type Participation = Selectable<ParticipationsTable>;
export type NewParticipation = Insertable<ParticipationsTable>;
export type ParticipationUpdate = Updateable<ParticipationsTable>;

export type ParticipationHistoryEntry = Selectable<ParticipationHistoryTable>;
export type NewParticipationHistoryEntry = Insertable<ParticipationHistoryTable>;

export type CheckIn = Selectable<CheckInsTable>;
export type NewCheckIn = Insertable<CheckInsTable>;
