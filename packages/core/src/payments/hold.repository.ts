// The paid seat hold's two round trips: place_ticket_hold() (migration 0013) and recording its PaymentIntent.
import { isIP } from "node:net";
import { sql } from "kysely";
import type { Db } from "../db/client";
import { retryOnDeadlock } from "../db/transaction";
import type { IdempotencyRequest } from "../idempotency";
import type { Currency } from "../money";
import type { ParticipationView } from "../ticketing/views";
import type { FieldCipher } from "./crypto";
import type { NewOrderRows } from "./orders.repository";
import type { OrderView } from "./views";

export interface HoldRequest extends Omit<NewOrderRows, "participationId" | "holdExpiresAt" | "confirmed"> {
  holdTtlSeconds: number;
  /** How long the create_intent task stays leased to this request (it calls the provider next). */
  taskLeaseSeconds: number;
  /** The invocation's budget for lock waits, e.g. "800ms"; null keeps the session's. */
  lockTimeout: string | null;
  ip?: string | null;
  userAgent?: string | null;
  key?: IdempotencyRequest;
}

/** What the hold wrote, as the answer and the PaymentIntent need it. */
export interface HeldOrder {
  /** The order view with its timestamps as JSON gives them. */
  order: Omit<OrderView, "holdExpiresAt" | "createdAt"> & { holdExpiresAt: string; createdAt: string };
  participation: ParticipationView;
  payment: { id: string; status: string; amountMinor: number; currency: Currency; provider: string };
  taskId: string;
  eventTitle: string;
  receiptEmail: string | null;
}

export type HoldOutcome =
  | { kind: "held"; held: HeldOrder }
  /** The buyer already holds seats for the event: this order (the key, if any, now names it). */
  | { kind: "own_order"; orderId: string }
  | { kind: "sold_out" | "already_registered" | "promo_exhausted" | "key_taken" };

/** SQLSTATEs raised by place_ticket_hold(); each rolled the call back. */
const REFUSALS: Record<string, HoldOutcome> = {
  EVH01: { kind: "sold_out" },
  EVH02: { kind: "already_registered" },
  EVH03: { kind: "promo_exhausted" },
  EVH04: { kind: "key_taken" },
};

const MAX_USER_AGENT = 512;

/**
 * One statement, committed on its own: no BEGIN/COMMIT round trips around the event row's lock.
 * A promotion or a promo code edit locks the event row before the promo code, the reverse of this
 * call's order; when the two meet PostgreSQL aborts one, and a hold it aborted (nothing committed)
 * simply runs again.
 */
export async function placeTicketHold(db: Db, r: HoldRequest): Promise<HoldOutcome> {
  const { key, ip, userAgent, ...rest } = r;
  const args = {
    ...rest,
    // The client address and agent are informational: one the inet cast would reject is dropped.
    ip: ip && isIP(ip) ? ip : null,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    key: key ? { scope: key.scope, key: key.key, requestHash: key.requestHash, leaseSeconds: key.leaseSeconds } : null,
  };
  try {
    const { rows } = await retryOnDeadlock(() =>
      sql<{ hold: HeldOrder | { ownOrderId: string } }>`SELECT place_ticket_hold(${JSON.stringify(args)}::jsonb) AS hold`.execute(db),
    );
    const hold = rows[0]!.hold;
    return "ownOrderId" in hold ? { kind: "own_order", orderId: hold.ownOrderId } : { kind: "held", held: hold };
  } catch (error) {
    const refusal = REFUSALS[(error as { code?: string } | null)?.code ?? ""];
    if (refusal) return refusal;
    throw error;
  }
}

export interface CreatedIntent {
  id: string;
  status: string;
  clientSecret: string | null;
}

/**
 * After the provider created the intent, in one statement: the payment learns its (encrypted)
 * intent, the audit row, the task succeeds, and the Idempotency-Key completes with the answer's
 * status (a later retry rebuilds the body from the order: it holds the client secret).
 */
export async function recordHeldIntent(
  db: Db,
  cipher: FieldCipher,
  held: Pick<HeldOrder, "payment" | "taskId"> & { userId: string },
  intent: CreatedIntent,
  key: IdempotencyRequest | undefined,
): Promise<void> {
  const secret = JSON.stringify(intent.clientSecret ? { clientSecretEnc: cipher.encrypt(intent.clientSecret) } : {});
  await sql`
    WITH pay AS (
      UPDATE payments SET provider_payment_id_enc = ${cipher.encrypt(intent.id)},
        provider_payment_id_hash = ${cipher.blindIndex(intent.id)}, metadata = metadata || ${secret}::jsonb
      WHERE id = ${held.payment.id} AND provider_payment_id_hash IS NULL
    ), audit AS (
      INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values)
      VALUES (${held.payment.id}, ${held.userId}, 'PaymentProcessed', 'PaymentIntent created at the provider',
        jsonb_build_object('providerStatus', ${intent.status}::text))
    ), task AS (
      UPDATE provider_tasks SET status = 'succeeded', outcome = 'created', locked_until = NULL, completed_at = now()
      WHERE id = ${held.taskId} AND status = 'pending'
    )
    UPDATE idempotency_keys SET status = 'completed', response_status = 201, response_body = 'null', locked_until = NULL
    WHERE ${key !== undefined} AND user_id = ${held.userId} AND scope = ${key?.scope ?? ""} AND key = ${key?.key ?? ""}`.execute(db);
}
