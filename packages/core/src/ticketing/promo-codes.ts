// Promo codes of an event: the organizer's create service, the view and the lookup by code.
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError } from "../errors";
import { managedEvent } from "../events/access";
import { withConstraints } from "../events/constraint-errors";
import { isAfter, moneyMinor, parseInput, percent, positiveInt, text, timestamp } from "../events/validation";
import { normalizePromoCode } from "./sales-rules";
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
  createdAt: string;
}

const ONE_OF = "Give exactly one of percentOff and amountOffMinor";

/** `null` and absent mean the same for the optional fields, so clients may send either. */
export const CreatePromoCodeInput = z
  .strictObject({
    code: text(1, 64),
    percentOff: percent().refine((p) => p > 0, { message: "Must be greater than 0" }).nullable().optional(),
    amountOffMinor: moneyMinor().min(1).nullable().optional(),
    maxUses: positiveInt().nullable().optional(),
    validFrom: timestamp().nullable().optional(),
    validUntil: timestamp().nullable().optional(),
    active: z.boolean().optional(),
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
            ...(data.active !== undefined ? { active: data.active } : {}),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
    );
    return toPromoCodeView(row);
  });
}
