// Contracts of the venue and category routes: public lists, created by organizers and admins.
import * as z from "zod";
import * as Events from "@evently/core/events";
import { defineRoute, pageLimit } from "./route-schema";
import { ROUTE_LIMITS } from "../manifest";

const at = () => z.iso.datetime();
const VenueSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  capacity: z.number().int().nullable(),
  createdAt: at(),
});
const CategorySchema = z.object({ id: z.uuid(), name: z.string(), slug: z.string(), createdAt: at() });
// Venues and categories page alike: the core's paging rules, limit parsed from the query string.
const pageQuery = Events.listVenues.schema.extend({ limit: pageLimit() });
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const listVenues = defineRoute({
  method: "GET",
  path: "/venues",
  access: "public",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Reference data that organizers add to now and then.
  cacheSeconds: 300,
  summary: "Venues by name",
  tags: ["venues"],
  query: pageQuery,
  response: pageOf(VenueSchema),
});

export const createVenue = defineRoute({
  method: "POST",
  path: "/venues",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Add a venue (organizers and admins)",
  tags: ["venues"],
  body: Events.createVenue.schema,
  response: VenueSchema,
  successStatus: 201,
});

export const listCategories = defineRoute({
  method: "GET",
  path: "/categories",
  access: "public",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Reference data that admins add to now and then.
  cacheSeconds: 300,
  summary: "Categories by name",
  tags: ["categories"],
  query: pageQuery,
  response: pageOf(CategorySchema),
});

export const createCategory = defineRoute({
  method: "POST",
  path: "/categories",
  access: "admin",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Add a category (admins); a taken slug is 409",
  tags: ["categories"],
  body: Events.createCategory.schema,
  response: CategorySchema,
  successStatus: 201,
  problems: ["conflict"],
});
