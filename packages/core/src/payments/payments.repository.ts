// Queries for payments: audit rows, provider-id storage and lookups, forward-only status moves.
import { isIP } from "node:net";
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import type { Currency } from "../money";
import type { FieldCipher } from "./crypto";
import type { PaymentAuditAction, PaymentStatus } from "./payments.table";

type Conn = Db | Trx;

export interface AuditEntry {
  paymentId: string;
  actionType: PaymentAuditAction;
  description: string;
  userId?: string | null;
  oldValues?: Record<string, unknown> | null;
  newValues?: Record<string, unknown> | null;
  ip?: string | null;
  userAgent?: string | null;
}

export async function audit(db: Conn, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("paymentAuditLog")
    .values({
      paymentId: entry.paymentId,
      actionType: entry.actionType,
      actionDescription: entry.description,
      userId: entry.userId ?? null,
      oldValues: entry.oldValues ? JSON.stringify(entry.oldValues) : null,
      newValues: entry.newValues ? JSON.stringify(entry.newValues) : null,
      // inet column: an address it would reject is dropped rather than failing the payment write.
      ipAddress: entry.ip && isIP(entry.ip) ? entry.ip : null,
      userAgent: entry.userAgent ?? null,
    } as never)
    .execute();
}

/** Money that moved at the provider: a completed ledger row, referenced by the provider event that said so. */
export async function recordCompleted(
  trx: Trx,
  row: {
    paymentId: string;
    refundId?: string;
    type: "payment" | "refund";
    amountMinor: number;
    currency: Currency;
    providerReference: string;
  },
): Promise<void> {
  await trx
    .insertInto("paymentTransactions")
    .values({ ...row, refundId: row.refundId ?? null, status: "completed", processedAt: sql`now()` })
    .execute();
}

/**
 * Statuses only move forward (docs/ARCHITECTURE.md, invariant 3): a stale `payment_failed` arriving after
 * `succeeded` must not undo it. A failed payment may still succeed (the buyer retries a card).
 */
export const STATUS_RANK: Record<PaymentStatus, number> = {
  pending: 0,
  failed: 1,
  cancelled: 2,
  completed: 3,
  partially_refunded: 4,
  refunded: 5,
};
export const canMove = (from: PaymentStatus, to: PaymentStatus): boolean => STATUS_RANK[to] > STATUS_RANK[from];

export const lockPayment = (trx: Trx, id: string) =>
  trx.selectFrom("payments").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();

export function paymentIdFromProviderId(db: Conn, cipher: FieldCipher, providerPaymentId: string) {
  return db
    .selectFrom("payments")
    .select("id")
    .where("providerPaymentIdHash", "=", cipher.blindIndex(providerPaymentId))
    .executeTakeFirst()
    .then((row) => row?.id);
}

/** Stores the provider's intent id (ciphertext + blind index) and the encrypted client secret. */
export async function storeIntent(db: Conn, cipher: FieldCipher, paymentId: string, intent: { id: string; clientSecret: string | null }) {
  await db
    .updateTable("payments")
    .set({
      providerPaymentIdEnc: cipher.encrypt(intent.id),
      providerPaymentIdHash: cipher.blindIndex(intent.id),
      metadata: sql`metadata || ${JSON.stringify(intent.clientSecret ? { clientSecretEnc: cipher.encrypt(intent.clientSecret) } : {})}::jsonb`,
    })
    .where("id", "=", paymentId)
    .where("providerPaymentIdHash", "is", null)
    .execute();
}

export const providerIdOf = (cipher: FieldCipher, enc: string | null): string | null => (enc ? cipher.decrypt(enc) : null);
