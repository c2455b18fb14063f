// PATCH /me: the caller sets their name.
import { updateMe } from "@evently/core/users";
import { updateMe as schema } from "../api/system";
import { getDb } from "../lib/db";
import { http, requireActor } from "../lib/http";

export const handler = http(schema, async ({ body, actor }) => updateMe(await getDb(), requireActor(actor), body));
