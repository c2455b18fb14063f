// The Idempotency-Key of a request, for the core commands that claim it in their own transaction
// (orders, refunds), and the HTTP side of replays: stored answers go back with their status and
// body; a refusal (4xx) of a first attempt is stored so its retry gets the same answer.
import { createHash } from "node:crypto";
import { rememberRefusal, ReplayedAnswer, type IdempotencyRequest } from "@evently/core/idempotency";
import { DomainError } from "@evently/core/errors";
import { remainingMs } from "@evently/core/shared/deadline";
import type { RouteSchema } from "../api/route-schema";
import { getDb } from "./db";
import { reply, requireActor, type HttpRequest, type Reply } from "./http";
import { toProblem } from "./problem";

/** Key order must not matter: {a,b} and {b,a} are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Outside an invocation (no deadline): a key whose request crashed is free again after this. */
const DEFAULT_LEASE_SECONDS = 30;

/** The key is held for the rest of this invocation: it cannot outlive its time limit. */
const leaseSeconds = () => {
  const left = remainingMs();
  return Number.isFinite(left) ? Math.ceil(left / 1000) + 1 : DEFAULT_LEASE_SECONDS;
};

const REPLAYED = { "idempotent-replayed": "true" };

/**
 * Runs `run` with the request's key; the middy stack calls it for every route that declares an
 * `idempotency` scope, after it has checked the key header.
 */
export async function idempotent<S extends RouteSchema>(
  req: HttpRequest<S>,
  scope: string,
  run: (key: IdempotencyRequest) => Promise<Reply>,
): Promise<Reply> {
  const actor = requireActor(req.actor);
  const key: IdempotencyRequest = {
    userId: actor.userId,
    scope,
    key: req.headers["idempotency-key"] ?? "",
    requestHash: createHash("sha256")
      .update(canonical({ params: req.params, body: req.body ?? null }))
      .digest("base64url"),
    leaseSeconds: leaseSeconds(),
  };
  try {
    return await run(key);
  } catch (error) {
    if (error instanceof ReplayedAnswer) return answer(error.status, error.body, REPLAYED);
    const refusal =
      error instanceof DomainError && !error.code.startsWith("idempotency_key_") ? toProblem(error, req.requestId) : undefined;
    if (!refusal || refusal.status >= 500) throw error;
    await rememberRefusal(await getDb(), key, refusal.status, refusal);
    return answer(refusal.status, refusal, {});
  }
}

function answer(status: number, body: unknown, headers: Record<string, string>): Reply {
  return reply(status, body, status >= 400 ? { ...headers, "content-type": "application/problem+json" } : headers);
}

export const replayedHeaders = (replayed: boolean): Record<string, string> => (replayed ? REPLAYED : {});
