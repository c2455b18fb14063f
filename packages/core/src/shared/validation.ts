// Input building blocks every domain validates with (docs/API.md "Input limits"), and the one place
// that turns a zod failure into the API's validation_failed problem.
import * as z from "zod";
import { DomainError } from "../errors";
import { CURRENCIES, isValidPercent, MAX_MONEY_MINOR } from "../money";

export const MAX_CAPACITY = 1_000_000;

/** A trimmed string of `min`–`max` characters. */
export const text = (min: number, max: number) => z.string().trim().min(min).max(max);

/** `text` without NUL, which a PostgreSQL text column cannot hold: for names and searches. */
export const plainText = (min: number, max: number) =>
  text(min, max).refine((s) => !s.includes("\u0000"), { message: "Must not contain NUL characters" });

/** A trimmed email address of at most 320 characters (RFC 5321's limit). */
export const email = () =>
  z
    .string()
    .trim()
    .max(320)
    .pipe(z.email({ message: "Must be an email address" }));

export const uuid = () => z.uuid({ message: "Must be a UUID" });

/** ISO-8601 with an explicit zone ("Z" or an offset): a bare local time names no instant. */
export const timestamp = () => z.iso.datetime({ offset: true, message: "Must be an ISO-8601 date-time with a time zone" });

/** Integer minor units, 0–100,000,000. */
export const moneyMinor = () => z.number().int().min(0).max(MAX_MONEY_MINOR);

/** A whole number ≥ 1 (capacities, quantities), bounded by `max`. */
export const positiveInt = (max = MAX_CAPACITY) => z.number().int().min(1).max(max);

/** A percent 0–`max` with at most two decimals (numeric(5,2) in the database). */
export const percent = (max = 100) =>
  z
    .number()
    .min(0)
    .max(max)
    // Out-of-range values already have their own issue; this one is about decimals only.
    .refine((p) => p < 0 || p > 100 || isValidPercent(p), { message: "Must have at most two decimals" });

export const currency = () => z.enum(CURRENCIES);

/** The canonical spelling of a time zone the runtime knows ("europe/berlin" → "Europe/Berlin"), else null. */
function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** An IANA time zone name, stored in its canonical spelling (idempotent, so re-parsing is safe). */
export const timeZone = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .transform((zone, ctx) => {
      const canonical = canonicalTimeZone(zone);
      if (canonical === null) ctx.issues.push({ code: "custom", message: "Must be an IANA time zone, e.g. Europe/Berlin", input: zone });
      return canonical ?? zone;
    });

/** Empty text means "none": stored as null, like an omitted optional field. */
export const emptyToNull = (value: string | null | undefined): string | null | undefined => (value === "" ? null : value);

export interface FieldError {
  path: string;
  message: string;
}

export function validationError(errors: FieldError[], detail = "The request body is invalid"): DomainError {
  return new DomainError("validation_failed", detail, { errors });
}

/** One field's error, as a thrown-ready DomainError. */
export const invalid = (path: string, message: string): DomainError => validationError([{ path, message }]);

/**
 * Parses service input with the same schema the route validates with, so callers that bypass
 * HTTP (jobs, fixtures) get the same rules and the same error shape.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validationError(parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
}

/** A check that compares two instants given as ISO strings (already validated). */
export const isAfter = (later: string | Date, earlier: string | Date): boolean => new Date(later).getTime() > new Date(earlier).getTime();
