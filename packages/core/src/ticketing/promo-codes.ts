// Promo codes of an event: the organizer's create/list/edit services, the view, the lookup by code,
// and taking and giving back a use with a seat hold.
import { sql } from "kysely";
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { canManage } from "../auth/actor";
import { managedEvent } from "../events/access";
import { lockForUpdate } from "../events/events.repository";
import { withConstraints } from "../events/constraint-errors";
import { isAfter, moneyMinor, parseInput, percent, positiveInt, text, timestamp } from "../shared/validation";
import { assertPromoUsable, normalizePromoCode } from "./sales-rules";
import { assertSellableEvent } from "./ticket-types";
import type { PromoCode } from "./ticketing.table";

export interface PromoCodeView {
  id: string;
  eventId: string;
  code: string;
  percentOff: number | null;
  /** In the currency of the event's ticket types. */
  amountOffMinor: number | null;
  maxUses: number | null;
  uses: number;
  validFrom: string | null;
  validUntil: string | null;
  active: boolean;
  /** Null: every ticket type of the event. */
  ticketTypeIds: string[] | null;
  createdAt: string;
}

const ticketTypeIds = () =>
  z
    .array(z.uuid({ message: "must be a UUID" }))
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .meta({ description: "Limit the code to these ticket types of the event (null: all)" });

const ONE_OF = "Give exactly one of percentOff and amountOffMinor";

/** `null` and absent mean the same for the optional fields, so clients may send either. */
export const CreatePromoCodeInput = z
  .strictObject({
    code: text(1, 64),
    percentOff: percent()
      .refine((p) => p > 0, { message: "Must be greater than 0" })
      .nullable()
      .optional(),
    amountOffMinor: moneyMinor().min(1).nullable().optional(),
    maxUses: positiveInt().nullable().optional(),
    validFrom: timestamp().nullable().optional(),
    validUntil: timestamp().nullable().optional(),
    active: z.boolean().optional(),
    ticketTypeIds: ticketTypeIds(),
  })
  .check((ctx) => {
    const v = ctx.value;
    const given = [v.percentOff, v.amountOffMinor].filter((x) => x !== null && x !== undefined).length;
    if (given !== 1) ctx.issues.push({ code: "custom", message: ONE_OF, path: ["percentOff"], input: v });
    if (v.validFrom && v.validUntil && !isAfter(v.validUntil, v.validFrom)) {
      ctx.issues.push({ code: "custom", message: "Must be after validFrom", path: ["validUntil"], input: v });
    }
  });
export type CreatePromoCodeInput = z.input<typeof CreatePromoCodeInput>;

export const toPromoCodeView = (p: PromoCode): PromoCodeView => ({
  id: p.id,
  eventId: p.eventId,
  code: p.code,
  percentOff: p.percentOff,
  amountOffMinor: p.amountOffMinor,
  maxUses: p.maxUses,
  uses: p.uses,
  validFrom: p.validFrom?.toISOString() ?? null,
  validUntil: p.validUntil?.toISOString() ?? null,
  active: p.active,
  ticketTypeIds: p.ticketTypeIds,
  createdAt: p.createdAt.toISOString(),
});

/** The event's code, compared case-insensitively through the promo_codes_event_code_key index. */
export const fromCode = (db: Db | Trx, eventId: string, code: string): Promise<PromoCode | undefined> =>
  db
    .selectFrom("promoCodes")
    .selectAll()
    .where("eventId", "=", eventId)
    .where((eb) => eb(eb.fn("lower", ["code"]), "=", normalizePromoCode(code)))
    .executeTakeFirst();

const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** Creates a code; the same code in any letter case already on the event is a 409 conflict. */
export async function createPromoCode(db: Db, actor: Actor, eventId: string, input: CreatePromoCodeInput): Promise<PromoCodeView> {
  const data = parseInput(CreatePromoCodeInput, input);
  return useTransaction(db, async (trx) => {
    assertSellableEvent(await managedEvent(trx, actor, eventId));
    const ticketTypeIds = await assertEventTicketTypes(trx, eventId, data.ticketTypeIds);
    // The unique index decides, so two concurrent creates of one code cannot both succeed.
    const row = await withConstraints(
      { promo_codes_event_code_key: () => new DomainError("conflict", `The event already has the promo code "${data.code}"`) },
      () =>
        trx
          .insertInto("promoCodes")
          .values({
            eventId,
            code: data.code,
            percentOff: data.percentOff ?? null,
            amountOffMinor: data.amountOffMinor ?? null,
            maxUses: data.maxUses ?? null,
            validFrom: date(data.validFrom),
            validUntil: date(data.validUntil),
            ticketTypeIds,
            ...(data.active !== undefined ? { active: data.active } : {}),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
    );
    return toPromoCodeView(row);
  });
}

/** Distinct ids, each a ticket type of this event (else 400 naming it); null/absent stays as is. */
async function assertEventTicketTypes(trx: Trx, eventId: string, ids: readonly string[] | null | undefined): Promise<string[] | null> {
  if (!ids) return null;
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = new Set(
    (await trx.selectFrom("ticketTypes").select("id").where("eventId", "=", eventId).where("id", "in", wanted).execute()).map((t) => t.id),
  );
  const errors = ids
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !found.has(id.toLowerCase()))
    .map(({ i }) => ({ path: `ticketTypeIds.${i}`, message: "No such ticket type on this event" }));
  if (errors.length > 0) throw new DomainError("validation_failed", "Unknown ticket types", { errors });
  return wanted;
}

/** GET /events/{id}/promo-codes: the event's codes with their uses, oldest first. */
export async function listPromoCodes(db: Db, actor: Actor, eventId: string): Promise<{ items: PromoCodeView[] }> {
  await managedEvent(db, actor, eventId);
  const rows = await db.selectFrom("promoCodes").selectAll().where("eventId", "=", eventId).orderBy("createdAt").orderBy("id").execute();
  return { items: rows.map(toPromoCodeView) };
}

export const UpdatePromoCodeInput = z.strictObject({
  active: z.boolean().optional(),
  maxUses: positiveInt().nullable().optional(),
  validFrom: timestamp().nullable().optional(),
  validUntil: timestamp().nullable().optional(),
  ticketTypeIds: ticketTypeIds(),
});
export type UpdatePromoCodeInput = z.input<typeof UpdatePromoCodeInput>;

/**
 * PATCH /promo-codes/{id}. maxUses never drops below the uses already taken: the UPDATE's own
 * condition decides, so a use taken concurrently cannot slip under it (409 conflict).
 */
export async function updatePromoCode(db: Db, actor: Actor, promoCodeId: string, input: UpdatePromoCodeInput): Promise<PromoCodeView> {
  const patch = parseInput(UpdatePromoCodeInput, input);
  return useTransaction(db, async (trx) => {
    const current = await trx.selectFrom("promoCodes").selectAll().where("id", "=", promoCodeId).executeTakeFirst();
    const event = current && (await lockForUpdate(trx, current.eventId));
    if (!current || !event || !canManage(actor, event.organizerId)) throw notFound("Promo code");
    assertSellableEvent(event);
    const from = patch.validFrom === undefined ? current.validFrom : date(patch.validFrom);
    const until = patch.validUntil === undefined ? current.validUntil : date(patch.validUntil);
    if (from && until && until <= from)
      throw new DomainError("validation_failed", "The request body is invalid", {
        errors: [{ path: "validUntil", message: "Must be after validFrom" }],
      });
    const values = {
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(patch.maxUses !== undefined ? { maxUses: patch.maxUses } : {}),
      ...(patch.validFrom !== undefined ? { validFrom: from } : {}),
      ...(patch.validUntil !== undefined ? { validUntil: until } : {}),
      ...(patch.ticketTypeIds !== undefined
        ? { ticketTypeIds: await assertEventTicketTypes(trx, current.eventId, patch.ticketTypeIds) }
        : {}),
    };
    if (Object.keys(values).length === 0) return toPromoCodeView(current);
    let update = trx.updateTable("promoCodes").set(values).where("id", "=", promoCodeId);
    if (typeof patch.maxUses === "number") update = update.where("uses", "<=", patch.maxUses);
    const row = await update.returningAll().executeTakeFirst();
    if (!row) throw new DomainError("conflict", "maxUses cannot drop below the uses already taken");
    return toPromoCodeView(row);
  });
}

/**
 * Takes one use of the event's code for `ticketTypeId` if it can be used now (active, in its
 * window, for that type, not used up); null otherwise. The conditional UPDATE decides races.
 */
export async function takePromoUse(trx: Trx, eventId: string, code: string, ticketTypeId: string): Promise<PromoCode | null> {
  const found = await fromCode(trx, eventId, code);
  if (!found) return null;
  try {
    assertPromoUsable(found, new Date(), ticketTypeId);
  } catch {
    return null;
  }
  const taken = await trx
    .updateTable("promoCodes")
    .set({ uses: sql`uses + 1` })
    .where("id", "=", found.id)
    .where(sql<boolean>`(max_uses IS NULL OR uses < max_uses)`)
    .returningAll()
    .executeTakeFirst();
  return taken ?? null;
}

/**
 * Gives back the promo use of an order that ends unpaid (hold expired, cancelled before
 * payment). Exactly once per order: the order's promo_released_at marker is set by the same
 * statement that finds it unset. Returns whether a use was given back.
 */
export async function releasePromoUse(trx: Trx, orderId: string): Promise<boolean> {
  const { rows } = await sql<{ promoCodeId: string }>`
    WITH released AS (
      UPDATE orders SET promo_released_at = now()
      WHERE id = ${orderId} AND promo_code_id IS NOT NULL AND promo_released_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id AND p.status IN ('completed', 'partially_refunded', 'refunded'))
      RETURNING promo_code_id
    )
    UPDATE promo_codes SET uses = uses - 1 FROM released WHERE promo_codes.id = released.promo_code_id AND uses > 0
    RETURNING promo_codes.id AS promo_code_id`.execute(trx);
  return rows.length > 0;
}

/**
 * A late payment revived an order whose expiry gave its promo use back: the order used the code
 * after all, so the use is taken again, exactly once (the same order marker). If the code filled
 * up meanwhile the buyer keeps the discount they paid with, and the count stays at max_uses (the
 * table's own check): one late buyer beyond the limit, the only case where that can happen.
 */
export async function retakePromoUse(trx: Trx, orderId: string): Promise<void> {
  await sql`
    WITH retaken AS (
      UPDATE orders o SET promo_released_at = NULL
      FROM promo_codes pc
      WHERE o.id = ${orderId} AND o.promo_released_at IS NOT NULL AND pc.id = o.promo_code_id
        AND (pc.max_uses IS NULL OR pc.uses < pc.max_uses)
      RETURNING o.promo_code_id
    )
    UPDATE promo_codes SET uses = uses + 1 FROM retaken WHERE promo_codes.id = retaken.promo_code_id`.execute(trx);
}
