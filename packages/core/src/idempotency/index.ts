// Client retries with an Idempotency-Key (docs/RELIABILITY.md, "Idempotency is part of the effect"):
// the key is claimed inside the transaction that creates the order or refund it guards and
// remembers that resource, so a retry after any failure replays the answer or finishes the same
// work. It never creates a second one.
import { sql, type ExpressionBuilder } from "kysely";
import type { Db } from "../db/client";
import type { Database } from "../db/database";
import type { Trx } from "../db/transaction";
import { DomainError } from "../errors";

export interface IdempotencyRequest {
  userId: string;
  /** The route, e.g. `orders:create`: one key may be used once per route. */
  scope: string;
  key: string;
  /** Hash of the normalised request: the same key with another request is refused. */
  requestHash: string;
  /** How long this request may work on the key (its time limit); a crash frees it after that. */
  leaseSeconds: number;
}

/** What an earlier request with the same key left behind. */
export type Earlier =
  /** It finished: replay `status` with `body`, or rebuild the answer from `resourceId` when `body` is null. */
  | { kind: "done"; status: number; body: unknown; resourceId: string | null }
  /** Its effect committed but it did not finish (provider down, crash): finish `resourceId` now. */
  | { kind: "resume"; status: number; resourceId: string };

/** An answer stored when it was first given (a refusal, or a final success), replayed as is. */
export class ReplayedAnswer extends Error {
  override readonly name = "ReplayedAnswer";
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`replayed ${status}`);
  }
}

/** Thrown inside an effect's transaction when another request claimed the key first. */
export class KeyTaken extends Error {
  override readonly name = "KeyTaken";
}

const keyOf = (r: IdempotencyRequest) => ({ userId: r.userId, scope: r.scope, key: r.key });
const lease = (r: IdempotencyRequest) => sql<Date>`now() + make_interval(secs => ${r.leaseSeconds})`;

/** The key's row, as a where-clause. */
const sameKey = (r: IdempotencyRequest) => (eb: ExpressionBuilder<Database, "idempotencyKeys">) => eb.and(keyOf(r));

/**
 * Looks for an earlier request with this key, taking its lease when there is work to finish.
 * Returns undefined when the key is new (or expired, in which case it is forgotten).
 */
export async function findEarlier(db: Db, r: IdempotencyRequest): Promise<Earlier | undefined> {
  // Most requests carry a fresh key: one plain read settles that without a transaction. A request
  // with the same key that commits after this read makes the effect's claim fail (KeyTaken).
  const seen = await db.selectFrom("idempotencyKeys").select("key").where(sameKey(r)).executeTakeFirst();
  if (!seen) return undefined;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("idempotencyKeys")
      .select(["requestHash", "status", "responseStatus", "responseBody", "resourceId"])
      .select(sql<boolean>`expires_at <= now()`.as("expired"))
      .select(sql<boolean>`coalesce(locked_until > now(), false)`.as("busy"))
      .where(sameKey(r))
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expired) {
      await trx.deleteFrom("idempotencyKeys").where(sameKey(r)).execute();
      return undefined;
    }
    if (row.requestHash !== r.requestHash)
      throw new DomainError("idempotency_key_reused", "This Idempotency-Key was used with a different request");
    if (row.status === "completed")
      return { kind: "done", status: row.responseStatus ?? 200, body: row.responseBody, resourceId: row.resourceId };
    if (row.busy)
      throw new DomainError("idempotency_key_in_progress", "A request with this Idempotency-Key is still running; retry shortly");
    if (!row.resourceId) {
      // Only effect transactions create unfinished keys, and they always name their resource.
      throw new Error(`idempotency key ${r.scope}/${r.key} is unfinished without a resource`);
    }
    await trx
      .updateTable("idempotencyKeys")
      .set({ lockedUntil: lease(r) })
      .where(sameKey(r))
      .execute();
    return { kind: "resume", status: row.responseStatus ?? 200, resourceId: row.resourceId };
  });
}

export interface Claim {
  /** The order or refund the effect creates. */
  resourceId: string;
  /** The status the answer will have. */
  status: number;
  /** The answer is already final (no work follows the commit): a retry replays it. */
  done?: boolean;
  /** The final body, when it can be stored as is; otherwise retries rebuild it from the resource. */
  body?: unknown;
}

/**
 * Claims a new key inside the effect's transaction and names the resource it creates. A
 * concurrent request with the same key waits on the key's unique index until the first commits;
 * then this throws KeyTaken and the caller looks at what the first one left (findEarlier).
 */
export async function claimKey(trx: Trx, r: IdempotencyRequest, claim: Claim): Promise<void> {
  const inserted = await trx
    .insertInto("idempotencyKeys")
    .values({
      ...keyOf(r),
      requestHash: r.requestHash,
      resourceId: claim.resourceId,
      responseStatus: claim.status,
      ...(claim.done
        ? { status: "completed", responseBody: JSON.stringify(claim.body ?? null) as never, lockedUntil: null }
        : { lockedUntil: lease(r) }),
    })
    .onConflict((oc) => oc.doNothing())
    .returning("key")
    .executeTakeFirst();
  if (!inserted) throw new KeyTaken();
}

/** The work is finished: later retries replay `status` (and `body`, or a view of the resource). */
export async function completeKey(db: Db, r: IdempotencyRequest, status: number, body: unknown = null): Promise<void> {
  await db
    .updateTable("idempotencyKeys")
    .set({ status: "completed", responseStatus: status, responseBody: JSON.stringify(body) as never, lockedUntil: null })
    .where(sameKey(r))
    .execute();
}

/** The work could not finish now (e.g. the provider is down): a retry may resume at once. */
export async function releaseKey(db: Db, r: IdempotencyRequest): Promise<void> {
  await db.updateTable("idempotencyKeys").set({ lockedUntil: null }).where(sameKey(r)).where("status", "=", "in_progress").execute();
}

/**
 * Remembers a refusal (4xx) of a request that changed nothing, so its retry gets the same answer.
 * A key that already produced something keeps it.
 */
export async function rememberRefusal(db: Db, r: IdempotencyRequest, status: number, body: unknown): Promise<void> {
  await db
    .insertInto("idempotencyKeys")
    .values({
      ...keyOf(r),
      requestHash: r.requestHash,
      status: "completed",
      responseStatus: status,
      responseBody: JSON.stringify(body) as never,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Deletes keys past their 24 hours, a bounded batch at a time; returns how many went. */
export async function sweepExpiredKeys(db: Db, limit = 1000): Promise<number> {
  const { numDeletedRows } = await db
    .deleteFrom("idempotencyKeys")
    .where(
      sql<boolean>`(user_id, scope, key) IN (
      SELECT user_id, scope, key FROM idempotency_keys
      WHERE expires_at <= now() AND coalesce(locked_until <= now(), true)
      ORDER BY expires_at LIMIT ${limit})`,
    )
    .executeTakeFirst();
  return Number(numDeletedRows);
}
