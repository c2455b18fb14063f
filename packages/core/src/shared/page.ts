// Keyset pages for every list route: the page shape, and the opaque cursor that carries the sort key
// of a page's last row (as the database rendered it, to the microsecond) and that row's id.
import * as z from "zod";
import { DomainError } from "../errors";

export interface PageInput {
  /** Already within bounds: parsed by `pageFields` below or by the route's schema. */
  limit: number;
  cursor?: string;
}

/** A list command's paging fields: up to `max` rows (default 20) after the previous page's cursor. */
export const pageFields = (max = 100) => ({
  limit: z.number().int().min(1).max(max).default(20),
  cursor: z.string().min(1).max(512).optional().meta({ description: "`nextCursor` of the previous page" }),
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorKey {
  /** The sort key: an ISO-8601 UTC timestamp with microseconds, or a name for lists sorted by name. */
  key: string;
  id: string;
}

const MICROS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;

/** A timestamp in the database's rendering that names a real instant (no month 13, no 31 April). */
function isRealInstant(value: string): boolean {
  const m = MICROS.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second
  );
}

// Tagged with their list, so one list's cursor is refused by another rather than misread.
const Cursor = z.strictObject({ l: z.string(), k: z.string(), i: z.uuid() });

/** What a list sorts by: a timestamp (the default) or a name. */
export type SortKind = "instant" | "text";

export const encodeCursor = (list: string, at: CursorKey): string =>
  Buffer.from(JSON.stringify({ l: list, k: at.key, i: at.id }), "utf8").toString("base64url");

/** Decodes a client's cursor for `list`; anything this list did not issue is a 400 on `cursor`. */
export function decodeCursor(list: string, value: string | undefined, sortKind: SortKind = "instant"): CursorKey | undefined {
  if (value === undefined) return undefined;
  let parsed: z.ZodSafeParseResult<z.output<typeof Cursor>> | undefined;
  try {
    parsed = Cursor.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.l !== list || (sortKind === "instant" && !isRealInstant(parsed.data.k))) {
    throw new DomainError("validation_failed", "The request query is invalid", {
      errors: [{ path: "cursor", message: "Not a cursor this list issued" }],
    });
  }
  return { key: parsed.data.k, id: parsed.data.i };
}

/** `rows` holds one row more than asked: whether it is there says if another page exists. */
export function toPage<R extends { id: string; sortKey: string }, T>(
  list: string,
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(list, { key: last.sortKey, id: last.id }) : null };
}
