// Wraps a route in Idempotency-Key semantics: the first response (success or 4xx problem) is
// stored and replayed with the same status and body.
import { createHash } from "node:crypto";
import { runIdempotent } from "@evently/core/idempotency";
import { DomainError } from "@evently/core/errors";
import type { RouteSchema } from "../api/route-schema";
import { getDb } from "./db";
import { reply, requireActor, type HttpRequest, type Reply } from "./http";
import { toProblem } from "./problem";

/** Key order must not matter: {a,b} and {b,a} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export async function idempotent<S extends RouteSchema>(req: HttpRequest<S>, scope: string, run: () => Promise<Reply>): Promise<Reply> {
  const actor = requireActor(req.actor);
  const key = req.headers["idempotency-key"] ?? "";
  const requestHash = createHash("sha256").update(canonical({ params: req.params, body: req.body ?? null })).digest("base64url");
  const result = await runIdempotent(await getDb(), { userId: actor.userId, scope, key, requestHash }, async () => {
    try {
      const r = await run();
      return { status: r.status, body: r.body };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problem = toProblem(error, req.requestId);
      return { status: problem.status, body: problem };
    }
  });
  const headers: Record<string, string> = result.replayed ? { "idempotent-replayed": "true" } : {};
  if (result.status >= 400) headers["content-type"] = "application/problem+json";
  return reply(result.status, result.body, headers);
}
