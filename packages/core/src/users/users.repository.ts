// Queries for users: upsert from identity claims in one round trip, lookups by id.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { DomainError } from "../errors";
import type { User } from "./users.table";

export interface UserClaims {
  externalId: string;
  email: string | null;
  roles: string[];
}

/**
 * Inserts the user on first sight; updates email/roles only when they changed, so a steady
 * stream of requests does not rewrite the row. Concurrent first calls converge on one row. A token
 * without a (verified) email, such as a Cognito access token, keeps the address we know.
 */
export async function upsertFromClaims(db: Db | Trx, claims: UserClaims): Promise<User> {
  const { rows } = await sql<User>`
    WITH upserted AS (
      INSERT INTO users (external_id, email, roles)
      VALUES (${claims.externalId}, ${claims.email}, ${claims.roles}::text[])
      ON CONFLICT (external_id) DO UPDATE
        SET email = coalesce(excluded.email, users.email), roles = excluded.roles
        WHERE (users.email, users.roles) IS DISTINCT FROM (coalesce(excluded.email, users.email), excluded.roles)
      RETURNING *
    )
    SELECT * FROM upserted
    UNION ALL
    SELECT * FROM users WHERE external_id = ${claims.externalId} AND NOT EXISTS (SELECT 1 FROM upserted)
    LIMIT 1`.execute(db);
  // A concurrent first insert is invisible to this statement's snapshot; the next one sees it.
  const user = rows[0] ?? (await db.selectFrom("users").selectAll().where("externalId", "=", claims.externalId).executeTakeFirst());
  if (!user) throw new Error("user upsert returned no row");
  return user;
}

export const fromId = (db: Db | Trx, id: string): Promise<User | undefined> =>
  db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();

export const setDisplayName = (db: Db | Trx, id: string, name: string): Promise<User> =>
  db.updateTable("users").set({ displayName: name }).where("id", "=", id).returningAll().executeTakeFirstOrThrow();

/**
 * A registered user by email, case-insensitively. Emails are not unique in users (the identity
 * provider owns them): when two accounts share one, nobody is picked for the caller (409) and the
 * caller names the user by id instead.
 */
export async function fromEmail(db: Db | Trx, email: string): Promise<Pick<User, "id"> | undefined> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", email.toLowerCase())
    .limit(2)
    .execute();
  if (rows.length > 1) throw new DomainError("conflict", "More than one account uses this email: name the user by id instead");
  return rows[0];
}
