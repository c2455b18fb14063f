// The Payment and Refund resources (docs/API.md "Resource shapes") and the reads that return them: one payment for its
// buyer, the event's organizer or an admin, and the buyer's own history, newest first.
import { sql } from "kysely";
import * as z from "zod";
import { canManage, isAdmin, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { notFound } from "../errors";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { parseInput } from "../shared/validation";
import { isoMicros } from "../ticketing/views";
import type { PaymentsDeps } from "./deps";
import type { PaymentStatus, PaymentTransactionStatus, PaymentTransactionType, RefundStatus } from "./payments.table";

type Conn = Db | Trx;

export interface RefundView {
  id: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  reason: string;
  status: RefundStatus;
  createdAt: Date;
  processedAt: Date | null;
  failureReason: string | null;
}

export interface PaymentView {
  id: string;
  orderId: string;
  eventId: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  processedAt: Date | null;
  createdAt: Date;
  transactions: {
    id: string;
    type: PaymentTransactionType;
    amountMinor: number;
    currency: string;
    status: PaymentTransactionStatus;
    processedAt: Date | null;
  }[];
  refunds: RefundView[];
  /** ipAddress and userAgent only for admins: buyers and organizers never see where a request came from. */
  audit: { actionType: string; description: string; createdAt: Date; ipAddress?: string | null; userAgent?: string | null }[];
}

const REFUND_COLUMNS = [
  "id",
  "paymentId",
  "amountMinor",
  "currency",
  "reason",
  "status",
  "createdAt",
  "processedAt",
  "failureReason",
] as const;

export const refundView = (db: Conn, id: string): Promise<RefundView> =>
  db.selectFrom("refunds").select(REFUND_COLUMNS).where("id", "=", id).executeTakeFirstOrThrow();

/** A JSON timestamp (ISO 8601, microseconds) as the Date the driver would have parsed (same millisecond). */
const toDate = (value: string): Date => new Date(value);
const toDateOrNull = (value: string | null): Date | null => (value === null ? null : new Date(value));

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type TransactionJson = Json<PaymentView["transactions"][number]>;
type RefundJson = Json<RefundView>;
type AuditJson = Json<{ actionType: string; description: string; createdAt: Date; ipAddress: string | null; userAgent: string | null }>;

// The details of the payment `p` in scope as JSON arrays, oldest first, so a payment and its ledger,
// refunds and audit come back in one statement (one round trip). Keys are snake_case: the
// CamelCasePlugin renames them like any column. Ordered inside json_agg, where order is guaranteed.
const transactionsColumn = sql<TransactionJson[]>`coalesce((
  select json_agg(json_build_object('id', t.id, 'type', t.type, 'amount_minor', t.amount_minor, 'currency', t.currency,
    'status', t.status, 'processed_at', t.processed_at) order by t.created_at, t.id)
  from payment_transactions t where t.payment_id = p.id), '[]')`;
const refundsColumn = sql<RefundJson[]>`coalesce((
  select json_agg(json_build_object('id', r.id, 'payment_id', r.payment_id, 'amount_minor', r.amount_minor, 'currency', r.currency,
    'reason', r.reason, 'status', r.status, 'created_at', r.created_at, 'processed_at', r.processed_at,
    'failure_reason', r.failure_reason) order by r.created_at, r.id)
  from refunds r where r.payment_id = p.id), '[]')`;
const auditColumn = sql<AuditJson[]>`coalesce((
  select json_agg(json_build_object('action_type', a.action_type, 'description', a.action_description, 'created_at', a.created_at,
    'ip_address', host(a.ip_address), 'user_agent', a.user_agent) order by a.created_at, a.id)
  from payment_audit_log a where a.payment_id = p.id), '[]')`;

const basePayments = (db: Conn) =>
  db
    .selectFrom("payments as p")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .innerJoin("events as e", "e.id", "o.eventId")
    .select([
      "p.id",
      "p.orderId",
      "o.eventId",
      "p.status",
      "p.amountMinor",
      "p.currency",
      "p.refundedMinor",
      "p.processedAt",
      "p.createdAt",
      "p.userId",
      "e.organizerId",
      transactionsColumn.as("transactions"),
      refundsColumn.as("refunds"),
      auditColumn.as("audit"),
    ]);

type PaymentRow = Awaited<ReturnType<ReturnType<typeof basePayments>["executeTakeFirstOrThrow"]>>;

/** A row and its JSON details as the resource; where a request came from only when `showOrigin`. */
const toPaymentView = (r: PaymentRow, showOrigin: boolean): PaymentView => ({
  id: r.id,
  orderId: r.orderId,
  eventId: r.eventId,
  status: r.status,
  amountMinor: r.amountMinor,
  currency: r.currency,
  refundedMinor: r.refundedMinor,
  processedAt: r.processedAt,
  createdAt: r.createdAt,
  transactions: r.transactions.map((t) => ({ ...t, processedAt: toDateOrNull(t.processedAt) })),
  refunds: r.refunds.map((f) => ({ ...f, createdAt: toDate(f.createdAt), processedAt: toDateOrNull(f.processedAt) })),
  audit: r.audit.map((a) => ({
    actionType: a.actionType,
    description: a.description,
    createdAt: toDate(a.createdAt),
    ...(showOrigin ? { ipAddress: a.ipAddress, userAgent: a.userAgent } : {}),
  })),
});

/** Admins manage every payment; organizers those of the events they organize. */
export const managesPayment = (actor: Actor, organizerId: string): boolean => canManage(actor, organizerId);

/** GET /payments/{id}: the buyer, the event's organizer or an admin; anyone else gets 404. */
export async function getPayment(deps: Pick<PaymentsDeps, "db">, actor: Actor, paymentId: string): Promise<PaymentView> {
  const row = await basePayments(deps.db).where("p.id", "=", paymentId).executeTakeFirst();
  if (!row || (row.userId !== actor.userId && !managesPayment(actor, row.organizerId))) throw notFound("Payment");
  return toPaymentView(row, isAdmin(actor));
}

export type PaymentPage = Page<PaymentView>;

export const MyPaymentsInput = z.object(pageFields());

/** GET /me/payments: the caller's payments of every status, newest first (payments_user_id_created_at_idx). */
export async function myPayments(
  deps: Pick<PaymentsDeps, "db">,
  actor: Actor,
  input: z.input<typeof MyPaymentsInput> = {},
): Promise<PaymentPage> {
  const page = parseInput(MyPaymentsInput, input);
  const after = decodeCursor("payments", page.cursor);
  const rows = await basePayments(deps.db)
    .select(isoMicros("p.createdAt").as("sortKey"))
    .where("p.userId", "=", actor.userId)
    .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(p.created_at, p.id) < (${after?.key}::timestamptz, ${after?.id}::uuid)`))
    .orderBy("p.createdAt", "desc")
    .orderBy("p.id", "desc")
    .limit(page.limit + 1)
    .execute();
  const showOrigin = isAdmin(actor);
  return toPage("payments", rows, page.limit, (row) => toPaymentView(row, showOrigin));
}
