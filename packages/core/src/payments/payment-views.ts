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
    ]);

type PaymentRow = Awaited<ReturnType<ReturnType<typeof basePayments>["executeTakeFirstOrThrow"]>>;

/** Transactions, refunds and audit entries of several payments in three queries, oldest first. */
async function withDetails(db: Conn, rows: PaymentRow[], showOrigin: boolean): Promise<PaymentView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [transactions, refunds, audit] = await Promise.all([
    db
      .selectFrom("paymentTransactions")
      .select(["id", "paymentId", "type", "amountMinor", "currency", "status", "processedAt"])
      .where("paymentId", "in", ids)
      .orderBy("createdAt")
      .orderBy("id")
      .execute(),
    db.selectFrom("refunds").select(REFUND_COLUMNS).where("paymentId", "in", ids).orderBy("createdAt").orderBy("id").execute(),
    db
      .selectFrom("paymentAuditLog")
      .select([
        "paymentId",
        "actionType",
        "actionDescription",
        "createdAt",
        sql<string | null>`host(ip_address)`.as("ipAddress"),
        "userAgent",
      ])
      .where("paymentId", "in", ids)
      .orderBy("createdAt")
      .orderBy("id")
      .execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    orderId: r.orderId,
    eventId: r.eventId,
    status: r.status,
    amountMinor: r.amountMinor,
    currency: r.currency,
    refundedMinor: r.refundedMinor,
    processedAt: r.processedAt,
    createdAt: r.createdAt,
    transactions: transactions.filter((t) => t.paymentId === r.id).map(({ paymentId: _p, ...t }) => t),
    refunds: refunds.filter((f) => f.paymentId === r.id),
    audit: audit
      .filter((a) => a.paymentId === r.id)
      .map((a) => ({
        actionType: a.actionType,
        description: a.actionDescription,
        createdAt: a.createdAt,
        ...(showOrigin ? { ipAddress: a.ipAddress, userAgent: a.userAgent } : {}),
      })),
  }));
}

/** Admins manage every payment; organizers those of the events they organize. */
export const managesPayment = (actor: Actor, organizerId: string): boolean => canManage(actor, organizerId);

/** GET /payments/{id}: the buyer, the event's organizer or an admin; anyone else gets 404. */
export async function getPayment(deps: Pick<PaymentsDeps, "db">, actor: Actor, paymentId: string): Promise<PaymentView> {
  const row = await basePayments(deps.db).where("p.id", "=", paymentId).executeTakeFirst();
  if (!row || (row.userId !== actor.userId && !managesPayment(actor, row.organizerId))) throw notFound("Payment");
  const [view] = await withDetails(deps.db, [row], isAdmin(actor));
  return view!;
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
  const { items, nextCursor } = toPage("payments", rows, page.limit, (row) => row);
  return { items: await withDetails(deps.db, items, isAdmin(actor)), nextCursor };
}
