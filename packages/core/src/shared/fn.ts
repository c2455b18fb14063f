// A core command that carries its input schema, so an HTTP contract validates by the very rules
// the command enforces (the `fn(schema, impl)` shape of SST's console app).
import type * as z from "zod";

/** `impl` as it was, callable exactly as before, with its input schema as `.schema`. */
export type Command<S extends z.ZodType, F extends (...args: never[]) => unknown> = F & { readonly schema: S };

/**
 * Gives a command its input schema; a domain's index exports its commands this way. Unlike SST's
 * single-argument `fn`, our commands take their dependencies, the actor and path ids before the
 * input, so `fn` does not parse: the command parses its own input (`parseInput(schema, input)`)
 * where it knows which argument that is, and every caller, HTTP or not, meets the same rules.
 * The implementation itself is returned (not a wrapper), so stack traces and identity stay as they were.
 */
export function fn<S extends z.ZodType, F extends (...args: never[]) => unknown>(schema: S, impl: F): Command<S, F> {
  return Object.assign(impl, { schema });
}
