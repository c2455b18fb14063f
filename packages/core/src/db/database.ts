// The whole schema as one Kysely `Database` interface, assembled from each domain's table file.
import type { UsersTable } from "../users/users.table";

export interface Database {
  users: UsersTable;
}
