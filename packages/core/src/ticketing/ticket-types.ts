// Ticket types of an event: the organizer's create/edit service and the queries behind it.
import { sql } from "kysely";
import * as z from "zod";
import { canManage, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { managedEvent } from "../events/access";
import { withConstraints, type ConstraintMap } from "../events/constraint-errors";
import { OPEN_STATUSES, lockForUpdate } from "../events/events.repository";
import type { EventRow } from "../events/events.table";
import {
  currency,
  invalid,
  isAfter,
  moneyMinor,
  parseInput,
  percent,
  positiveInt,
  text,
  timestamp,
  validationError,
  type FieldError,
} from "../shared/validation";
import { toTicketTypeView, type TicketTypeView } from "../events/views";
import type { Currency } from "../money";
import type { PricedTicketType } from "./pricing";
import type { NewTicketType, TicketType, TicketTypeUpdate } from "./ticketing.table";

const DEFAULT_MAX_PER_ORDER = 10;

const fields = {
  name: text(1, 200),
  priceMinor: moneyMinor(),
  currency: currency(),
  quantity: positiveInt().nullable(),
  salesStartAt: timestamp().nullable(),
  salesEndAt: timestamp().nullable(),
  earlyBird: z.strictObject({ priceMinor: moneyMinor(), until: timestamp() }).nullable(),
  groupDiscount: z.strictObject({ minQuantity: positiveInt(), percent: percent() }).nullable(),
  slidingScaleMaxPercent: percent(75),
  minPerOrder: positiveInt(),
  maxPerOrder: positiveInt(),
  sortOrder: z.number().int().min(0).max(1_000_000),
  active: z.boolean(),
};

/** The rules that span fields, checked on the values a ticket type ends up with. */
interface Rules {
  priceMinor: number;
  salesStartAt: string | Date | null;
  salesEndAt: string | Date | null;
  earlyBird: { priceMinor: number } | null;
  minPerOrder: number;
  maxPerOrder: number;
}

function ruleErrors(v: Rules): FieldError[] {
  const errors: FieldError[] = [];
  if (v.earlyBird && v.earlyBird.priceMinor > v.priceMinor)
    errors.push({ path: "earlyBird.priceMinor", message: "Must not exceed priceMinor" });
  if (v.salesStartAt && v.salesEndAt && !isAfter(v.salesEndAt, v.salesStartAt))
    errors.push({ path: "salesEndAt", message: "Must be after salesStartAt" });
  if (v.minPerOrder > v.maxPerOrder) errors.push({ path: "maxPerOrder", message: "Must be at least minPerOrder" });
  return errors;
}

// Without maxPerOrder the limit is the larger of the default and minPerOrder, never below it.
const defaultMax = (min: number | undefined) => Math.max(DEFAULT_MAX_PER_ORDER, min ?? 1);

const optionalFields = {
  quantity: fields.quantity.optional(),
  salesStartAt: fields.salesStartAt.optional(),
  salesEndAt: fields.salesEndAt.optional(),
  earlyBird: fields.earlyBird.optional(),
  groupDiscount: fields.groupDiscount.optional(),
  slidingScaleMaxPercent: fields.slidingScaleMaxPercent.optional(),
  minPerOrder: fields.minPerOrder.optional(),
  maxPerOrder: fields.maxPerOrder.optional(),
  sortOrder: fields.sortOrder.optional(),
  active: fields.active.optional(),
};

export const CreateTicketTypeInput = z
  .strictObject({ name: fields.name, priceMinor: fields.priceMinor, currency: fields.currency, ...optionalFields })
  .check((ctx) => {
    const v = ctx.value;
    const minPerOrder = v.minPerOrder ?? 1;
    const errors = ruleErrors({
      priceMinor: v.priceMinor,
      salesStartAt: v.salesStartAt ?? null,
      salesEndAt: v.salesEndAt ?? null,
      earlyBird: v.earlyBird ?? null,
      minPerOrder,
      maxPerOrder: v.maxPerOrder ?? defaultMax(minPerOrder),
    });
    for (const e of errors) ctx.issues.push({ code: "custom", message: e.message, path: e.path.split("."), input: v });
  });
export type CreateTicketTypeInput = z.input<typeof CreateTicketTypeInput>;

/** Every field optional; null clears quantity (unlimited), the sales window ends, earlyBird, groupDiscount. */
export const UpdateTicketTypeInput = z.strictObject({
  name: fields.name.optional(),
  priceMinor: fields.priceMinor.optional(),
  currency: fields.currency.optional(),
  ...optionalFields,
});
export type UpdateTicketTypeInput = z.input<typeof UpdateTicketTypeInput>;

const CONSTRAINTS: ConstraintMap = {
  ticket_types_quantity_taken_check: () => new DomainError("quantity_below_taken", "Quantity cannot drop below the tickets already taken"),
  ticket_types_early_bird_check: () => invalid("earlyBird.priceMinor", "Must not exceed priceMinor"),
  ticket_types_sales_window_check: () => invalid("salesEndAt", "Must be after salesStartAt"),
  ticket_types_max_per_order_check: () => invalid("maxPerOrder", "Must be at least minPerOrder"),
};

const date = (iso: string | null | undefined) => (iso === undefined ? undefined : iso === null ? null : new Date(iso));

/** Input fields → columns; only the keys present in `input` are set. */
function toColumns(input: z.output<typeof UpdateTicketTypeInput>): TicketTypeUpdate {
  const { earlyBird, groupDiscount, salesStartAt, salesEndAt, ...plain } = input;
  return {
    ...plain,
    ...(salesStartAt !== undefined ? { salesStartAt: date(salesStartAt) } : {}),
    ...(salesEndAt !== undefined ? { salesEndAt: date(salesEndAt) } : {}),
    ...(earlyBird !== undefined
      ? { earlyBirdPriceMinor: earlyBird?.priceMinor ?? null, earlyBirdUntil: date(earlyBird?.until ?? null) }
      : {}),
    ...(groupDiscount !== undefined
      ? { groupMinQuantity: groupDiscount?.minQuantity ?? null, groupDiscountPercent: groupDiscount?.percent ?? null }
      : {}),
  };
}

export const fromId = (db: Db | Trx, id: string): Promise<TicketType | undefined> =>
  db.selectFrom("ticketTypes").selectAll().where("id", "=", id).executeTakeFirst();

/** An event's ticket types in display order. */
export const listForEvent = (db: Db | Trx, eventId: string): Promise<TicketType[]> =>
  db.selectFrom("ticketTypes").selectAll().where("eventId", "=", eventId).orderBy("sortOrder").orderBy("createdAt").orderBy("id").execute();

/** The pricing view of a row, for pricing.ts (priceOrder, currentUnitPrice). */
export const toPricedTicketType = (
  t: Pick<
    TicketType,
    | "priceMinor"
    | "currency"
    | "earlyBirdPriceMinor"
    | "earlyBirdUntil"
    | "groupMinQuantity"
    | "groupDiscountPercent"
    | "slidingScaleMaxPercent"
  >,
): PricedTicketType => ({
  priceMinor: t.priceMinor,
  currency: t.currency,
  earlyBird: t.earlyBirdPriceMinor !== null && t.earlyBirdUntil ? { priceMinor: t.earlyBirdPriceMinor, until: t.earlyBirdUntil } : null,
  groupDiscount:
    t.groupMinQuantity !== null && t.groupDiscountPercent !== null
      ? { minQuantity: t.groupMinQuantity, percent: t.groupDiscountPercent }
      : null,
  slidingScaleMaxPercent: t.slidingScaleMaxPercent,
});

/** Ticket types (and promo codes) belong to ticketed events that can still change. */
export function assertSellableEvent(event: Pick<EventRow, "kind" | "status">): void {
  if (event.kind !== "ticketed") throw new DomainError("invalid_state", "RSVP events have no ticket types or promo codes");
  if (!OPEN_STATUSES.includes(event.status)) throw new DomainError("invalid_state", `The event is ${event.status}`);
}

/**
 * All ticket types of one event share a currency, so orders, reports and promo amounts are in
 * one currency. Called with the event row locked, so two first ticket types cannot disagree.
 */
async function assertSameCurrency(trx: Trx, eventId: string, wanted: Currency, exceptId?: string): Promise<void> {
  let query = trx.selectFrom("ticketTypes").select("currency").distinct().where("eventId", "=", eventId).where("currency", "<>", wanted);
  if (exceptId) query = query.where("id", "<>", exceptId);
  const other = await query.executeTakeFirst();
  if (other) throw invalid("currency", `All ticket types of an event share one currency; this event uses ${other.currency}`);
}

export async function createTicketType(db: Db, actor: Actor, eventId: string, input: CreateTicketTypeInput): Promise<TicketTypeView> {
  const data = parseInput(CreateTicketTypeInput, input);
  return useTransaction(db, async (trx) => {
    await managedEvent(trx, actor, eventId);
    const event = await lockForUpdate(trx, eventId);
    if (!event) throw notFound("Event");
    assertSellableEvent(event);
    await assertSameCurrency(trx, eventId, data.currency);
    const values: NewTicketType = {
      ...toColumns(data),
      eventId,
      name: data.name,
      priceMinor: data.priceMinor,
      currency: data.currency,
      maxPerOrder: data.maxPerOrder ?? defaultMax(data.minPerOrder),
    };
    const row = await withConstraints(CONSTRAINTS, () =>
      trx.insertInto("ticketTypes").values(values).returningAll().executeTakeFirstOrThrow(),
    );
    return toTicketTypeView(row);
  });
}

export interface UpdateTicketTypeHooks {
  /**
   * Called inside the transaction when the edit may put seats within reach of the waitlist: the
   * quantity grew, the type was switched back on, or its sales window moved. Promotion decides.
   */
  onMoreForSale?(trx: Trx, eventId: string): Promise<void>;
}

const grew = (before: number | null, after: number | null | undefined) =>
  after !== undefined && before !== null && (after === null || after > before);

const moreForSale = (current: TicketType, patch: UpdateTicketTypeInput) =>
  grew(current.quantity, patch.quantity) ||
  (patch.active === true && !current.active) ||
  patch.salesStartAt !== undefined ||
  patch.salesEndAt !== undefined;

/** Edits a ticket type; quantity never drops below what is taken (one conditional UPDATE). */
export async function updateTicketType(
  db: Db,
  actor: Actor,
  ticketTypeId: string,
  input: UpdateTicketTypeInput,
  hooks: UpdateTicketTypeHooks = {},
): Promise<TicketTypeView> {
  const patch = parseInput(UpdateTicketTypeInput, input);
  return useTransaction(db, async (trx) => {
    const current = await fromId(trx, ticketTypeId);
    if (!current) throw notFound("Ticket type");
    // Event first, then ticket type: the lock order every seat-taking transaction uses.
    const event = await lockForUpdate(trx, current.eventId);
    if (!event || !canManage(actor, event.organizerId)) throw notFound("Ticket type");
    assertSellableEvent(event);
    if (patch.currency !== undefined) await assertSameCurrency(trx, event.id, patch.currency, ticketTypeId);

    const view = toTicketTypeView(current);
    const merged = { ...view, ...patch };
    const errors = ruleErrors({
      ...merged,
      earlyBird: merged.earlyBird ?? null,
      salesStartAt: merged.salesStartAt ?? null,
      salesEndAt: merged.salesEndAt ?? null,
    });
    if (errors.length > 0) throw validationError(errors);

    const values = toColumns(patch);
    if (Object.keys(values).length === 0) return view;
    let update = trx.updateTable("ticketTypes").set(values).where("id", "=", ticketTypeId);
    if (typeof patch.quantity === "number") update = update.where(sql<boolean>`quantity_taken <= ${patch.quantity}`);
    const row = await withConstraints(CONSTRAINTS, () => update.returningAll().executeTakeFirst());
    if (!row) throw new DomainError("quantity_below_taken", "Quantity cannot drop below the tickets already taken");
    if (moreForSale(current, patch)) await hooks.onMoreForSale?.(trx, event.id);
    return toTicketTypeView(row);
  });
}
