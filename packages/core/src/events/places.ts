// Venues and categories: public lists, created by organizers (venues) and admins (categories).
import { sql } from "kysely";
import * as z from "zod";
import { requireRole, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { DomainError } from "../errors";
import { withConstraints } from "./constraint-errors";
import type { Category, Venue } from "./events.table";
import { decodeCursor, pageFields, toPage } from "../shared/page";
import { parseInput, positiveInt, text } from "../shared/validation";

export interface VenueView {
  id: string;
  name: string;
  address: string | null;
  city: string | null;
  country: string | null;
  capacity: number | null;
  createdAt: string;
}

export interface CategoryView {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export const CreateVenueInput = z.strictObject({
  name: text(1, 200),
  address: text(1, 500).nullable().optional(),
  city: text(1, 200).nullable().optional(),
  country: text(1, 200).nullable().optional(),
  capacity: positiveInt().nullable().optional(),
});
export type CreateVenueInput = z.input<typeof CreateVenueInput>;

export const CreateCategoryInput = z.strictObject({
  name: text(1, 200),
  slug: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: "Lowercase letters and digits, words joined by single hyphens" }),
});
export type CreateCategoryInput = z.input<typeof CreateCategoryInput>;

export const ListPageInput = z.strictObject(pageFields());

const toVenueView = (v: Venue): VenueView => ({
  id: v.id,
  name: v.name,
  address: v.address,
  city: v.city,
  country: v.country,
  capacity: v.capacity,
  createdAt: v.createdAt.toISOString(),
});
const toCategoryView = (c: Category): CategoryView => ({ id: c.id, name: c.name, slug: c.slug, createdAt: c.createdAt.toISOString() });

/** One page of a name-sorted list, keyset-paginated over (name, id): names may repeat, ids break ties. */
async function page<T extends { name: string; id: string }>(db: Db, table: "venues" | "categories", input: z.input<typeof ListPageInput>) {
  const o = parseInput(ListPageInput, input);
  let query = db
    .selectFrom(table)
    .selectAll()
    .select(sql<string>`name`.as("sortKey"));
  const after = decodeCursor(table, o.cursor, "text");
  if (after) query = query.where(sql<boolean>`(name, id) > (${after.key}, ${after.id}::uuid)`);
  const rows = (await query
    .orderBy("name")
    .orderBy("id")
    .limit(o.limit + 1)
    .execute()) as unknown as (T & { sortKey: string })[];
  return toPage(table, rows, o.limit, ({ sortKey: _key, ...row }) => row);
}

export async function listVenues(db: Db, input: z.input<typeof ListPageInput> = {}) {
  const { items, nextCursor } = await page<Venue>(db, "venues", input);
  return { items: items.map(toVenueView), nextCursor };
}

export async function listCategories(db: Db, input: z.input<typeof ListPageInput> = {}) {
  const { items, nextCursor } = await page<Category>(db, "categories", input);
  return { items: items.map(toCategoryView), nextCursor };
}

export async function createVenue(db: Db, actor: Actor, input: CreateVenueInput): Promise<VenueView> {
  requireRole(actor, "organizer");
  const v = parseInput(CreateVenueInput, input);
  const row = await db
    .insertInto("venues")
    .values({ name: v.name, address: v.address ?? null, city: v.city ?? null, country: v.country ?? null, capacity: v.capacity ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toVenueView(row);
}

/** Admins only; a slug already taken is 409 conflict (the unique index decides under races). */
export async function createCategory(db: Db, actor: Actor, input: CreateCategoryInput): Promise<CategoryView> {
  requireRole(actor, "admin");
  const c = parseInput(CreateCategoryInput, input);
  const row = await withConstraints({ categories_slug_key: () => new DomainError("conflict", `The slug "${c.slug}" is taken`) }, () =>
    db.insertInto("categories").values({ name: c.name, slug: c.slug }).returningAll().executeTakeFirstOrThrow(),
  );
  return toCategoryView(row);
}
