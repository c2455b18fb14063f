// POST /categories: an admin adds a category.
import { createCategory } from "@evently/core/events";
import { createCategory as route } from "../../api/places";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, body }) => createCategory(await getDb(), requireActor(actor), body));
