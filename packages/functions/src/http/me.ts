// GET /me: the caller, upserted into users from the JWT claims.
import { me as meView } from "@evently/core/users";
import { me } from "../api/system";
import { http, requireActor } from "../lib/http";

export const handler = http(me, async ({ actor }) => meView(requireActor(actor)));
