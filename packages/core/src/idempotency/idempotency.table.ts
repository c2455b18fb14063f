// Kysely table types for Idempotency-Key records: a client retry replays the first response.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

export type IdempotencyKeyStatus = "in_progress" | "completed";

/**
 * Primary key (user_id, scope, key): a key belongs to one user and one route, e.g. scope
 * 'orders:create' or 'refunds:create'. A first request inserts the row 'in_progress' (a concurrent
 * duplicate hits idempotency_keys_pkey), then stores its response and marks it 'completed'.
 */
export interface IdempotencyKeysTable {
  userId: string;
  key: string;
  scope: string;
  /** Hash of the normalised request body: same key with another body is `idempotency_key_reused`. */
  requestHash: string;
  status: Generated<IdempotencyKeyStatus>;
  /** Required once completed (idempotency_keys_response_check). */
  responseStatus: number | null;
  responseBody: Record<string, unknown> | null;
  /** The order or refund this key produced, written in the same transaction as it. */
  resourceId: string | null;
  /** While a request works on the key; a retry before then is `idempotency_key_in_progress`. */
  lockedUntil: Date | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
  /** Defaults to 24 hours after creation; expired rows may be deleted. */
  expiresAt: Generated<Date>;
}

export type IdempotencyKey = Selectable<IdempotencyKeysTable>;
export type NewIdempotencyKey = Insertable<IdempotencyKeysTable>;
export type IdempotencyKeyUpdate = Updateable<IdempotencyKeysTable>;
