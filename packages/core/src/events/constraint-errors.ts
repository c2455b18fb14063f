// Turns the constraint violations a service expects (by constraint name, see migrations/) into
// domain errors, so a race that only the database can catch is still a 4xx, never a 500.
import type { DomainError } from "../errors";

/** SQLSTATEs we translate: unique, check and foreign-key violations. */
const CONSTRAINT_CODES = new Set(["23505", "23514", "23503"]);

interface PgConstraintError {
  code: string;
  constraint: string;
}

export function constraintOf(error: unknown): PgConstraintError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== "string" || !CONSTRAINT_CODES.has(code) || typeof constraint !== "string") return undefined;
  return { code, constraint };
}

export type ConstraintMap = Partial<Record<string, () => DomainError>>;

/**
 * The domain error for a violated constraint named in `map`, else `error` itself: unexpected
 * violations stay bugs (5xx, logged) instead of being dressed up as the caller's fault.
 */
export function translateConstraint(error: unknown, map: ConstraintMap): unknown {
  const violated = constraintOf(error);
  const make = violated ? map[violated.constraint] : undefined;
  return make ? make() : error;
}

/** Runs `fn`, translating the expected constraint violations it throws. */
export async function withConstraints<T>(map: ConstraintMap, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateConstraint(error, map);
  }
}
