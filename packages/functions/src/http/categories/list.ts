// GET /categories: every category by name, paginated.
import { listCategories } from "@evently/core/events";
import { listCategories as route } from "../../api/places";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(route, async ({ query }) => listCategories(await getDb(), query));
