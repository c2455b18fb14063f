// GET /me: the caller, upserted into users from the JWT claims.
import { profile } from "@evently/core/users";
import { me } from "../api/system";
import { getDb } from "../lib/db";
import { http, requireActor } from "../lib/http";

export const handler = http(me, async ({ actor }) => profile(await getDb(), requireActor(actor)));
