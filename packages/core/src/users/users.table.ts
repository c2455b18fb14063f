// Kysely table types for users (external id = JWT `sub`).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

export interface UsersTable {
  id: Generated<string>;
  externalId: string;
  email: string | null;
  displayName: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
