// Opaque keyset cursors for GET /events: the (starts_at, id) of the last row of a page.
import * as z from "zod";
import { invalid } from "./validation";

export interface EventCursor {
  /** starts_at rendered by the database with microseconds, so the keyset comparison is exact. */
  startsAt: string;
  id: string;
}

const Payload = z.strictObject({
  s: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  i: z.uuid(),
});

export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.startsAt, i: cursor.id }), "utf8").toString("base64url");
}

/** Decodes a cursor from a client; anything we did not issue is a 400 on `cursor`. */
export function decodeCursor(value: string): EventCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw invalid("cursor", "Not a cursor this API issued");
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) throw invalid("cursor", "Not a cursor this API issued");
  return { startsAt: parsed.data.s, id: parsed.data.i };
}
