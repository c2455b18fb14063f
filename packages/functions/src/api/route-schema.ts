// How a route is declared once: where it answers, who may call it, what it needs, and the zod
// schemas that validate its input and generate OpenAPI. routes.ts pairs each with its handler.
import * as z from "zod";
import type { ErrorCode } from "@evently/core/errors";
import type { RouteDef } from "../manifest";

/**
 * A route's whole declaration. The middy stack applies its access, idempotency and cache policy,
 * infra and the local server read its method, path, access, resources and time limit (through
 * routes.ts), and the OpenAPI document is generated from all of it.
 */
export interface RouteSchema extends Omit<RouteDef, "handler"> {
  summary: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be omitted entirely (e.g. an optional cancellation reason). */
  bodyOptional?: boolean;
  response?: z.ZodType;
  /** The success body as plain JSON Schema, for a route that keeps zod out of its bundle (the webhook). */
  responseJsonSchema?: Readonly<Record<string, unknown>>;
  /** Media type of a success response that is not JSON (an SVG image, a CSV file). */
  contentType?: string;
  successStatus?: number;
  /**
   * The route requires an Idempotency-Key header (1–255 characters) and runs under that key in this
   * scope: a retry with the same key and request gets the first answer again.
   */
  idempotency?: string;
  /**
   * Seconds a cache may keep a success answer (`Cache-Control: public, max-age=…`). On an
   * `optional` route an answer to a caller who sent a token is `private, no-store` instead.
   */
  cacheSeconds?: number;
  /**
   * Domain error codes this route answers beyond those its declaration already implies (path ids,
   * input, access, idempotency and resources; see lib/openapi-responses.ts), for the OpenAPI document.
   */
  problems?: readonly ErrorCode[];
  /** Answers other than `successStatus` and problems, by status (e.g. a repeated check-in's 200). */
  responses?: Readonly<Record<number, z.ZodType>>;
}

export const defineRoute = <S extends RouteSchema>(schema: S): S => schema;

export type Params<S extends RouteSchema> = S["params"] extends z.ZodObject ? z.output<S["params"]> : Record<string, never>;
export type Query<S extends RouteSchema> = S["query"] extends z.ZodObject ? z.output<S["query"]> : Record<string, never>;
export type Body<S extends RouteSchema> = S["body"] extends z.ZodType
  ? S["bodyOptional"] extends true
    ? z.output<S["body"]> | undefined
    : z.output<S["body"]>
  : undefined;

/** Shared building blocks. */
export const uuid = () => z.uuid({ message: "must be a UUID" });
export const idParams = <K extends string>(key: K) => z.object({ [key]: uuid() } as { [P in K]: ReturnType<typeof uuid> });

/** Query strings are text: `limit` is parsed from digits and reaches the service as a number. */
export const pageLimit = (max = 100) => {
  const message = `Must be a whole number 1–${max}`;
  return z
    .string()
    .regex(new RegExp(`^\\d{1,${String(max).length}}$`), { message })
    .transform(Number)
    .pipe(z.number().int().min(1, { message }).max(max, { message }))
    .default(20)
    .meta({ description: `Page size 1–${max} (default 20)` });
};

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional().meta({ description: "Only on 5xx answers: quote it when reporting the failure" }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details with the API's stable machine `code`" });
