// Client retries with an Idempotency-Key: the first response is stored per (user, scope, key)
// and replayed; the same key with a different request is refused.
import { sql } from "kysely";
import type { Db } from "../db/client";
import { DomainError } from "../errors";

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyRequest {
  userId: string;
  scope: string;
  key: string;
  requestHash: string;
}

/** A run that stopped without finishing (a crash) may be taken over after this long. */
const STALE_SECONDS = 60;

async function claim(db: Db, r: IdempotencyRequest): Promise<boolean> {
  const inserted = await db
    .insertInto("idempotencyKeys")
    .values({ userId: r.userId, scope: r.scope, key: r.key, requestHash: r.requestHash })
    .onConflict((oc) => oc.doNothing())
    .returning("key")
    .executeTakeFirst();
  return inserted !== undefined;
}

async function existing(db: Db, r: IdempotencyRequest): Promise<StoredResponse | "claimed"> {
  const row = await db
    .selectFrom("idempotencyKeys")
    .selectAll()
    .where("userId", "=", r.userId)
    .where("scope", "=", r.scope)
    .where("key", "=", r.key)
    .executeTakeFirst();
  if (!row) return (await claim(db, r)) ? "claimed" : existing(db, r);
  if (row.requestHash !== r.requestHash) throw new DomainError("idempotency_key_reused", "This Idempotency-Key was used with a different request");
  if (row.status === "completed") return { status: row.responseStatus ?? 200, body: row.responseBody };
  const taken = await db
    .updateTable("idempotencyKeys")
    .set({ updatedAt: sql`now()` })
    .where("userId", "=", r.userId)
    .where("scope", "=", r.scope)
    .where("key", "=", r.key)
    .where("status", "=", "in_progress")
    .where("updatedAt", "<", sql<Date>`now() - make_interval(secs => ${STALE_SECONDS})`)
    .returning("key")
    .executeTakeFirst();
  if (!taken) throw new DomainError("idempotency_key_in_progress", "A request with this Idempotency-Key is still running");
  return "claimed";
}

/**
 * Runs `compute` once per key. Responses below 500 are stored and replayed; a 5xx or a thrown
 * error releases the key so the client's retry runs again (the work itself is resumable).
 */
export async function runIdempotent(db: Db, r: IdempotencyRequest, compute: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
  const state = (await claim(db, r)) ? "claimed" : await existing(db, r);
  if (state !== "claimed") return { ...state, replayed: true };
  let response: StoredResponse;
  try {
    response = await compute();
  } catch (error) {
    await release(db, r);
    throw error;
  }
  if (response.status >= 500) {
    await release(db, r);
    return { ...response, replayed: false };
  }
  await db
    .updateTable("idempotencyKeys")
    .set({ status: "completed", responseStatus: response.status, responseBody: JSON.stringify(response.body) as never })
    .where("userId", "=", r.userId)
    .where("scope", "=", r.scope)
    .where("key", "=", r.key)
    .execute();
  return { ...response, replayed: false };
}

async function release(db: Db, r: IdempotencyRequest): Promise<void> {
  await db.deleteFrom("idempotencyKeys").where("userId", "=", r.userId).where("scope", "=", r.scope).where("key", "=", r.key).where("status", "=", "in_progress").execute();
}
