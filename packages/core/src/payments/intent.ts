// A buyer needs a PaymentIntent to pay: when its creation is still a pending task (the provider
// was down, or the request that recorded it died), finish it now, on the buyer's time.
import { DomainError } from "../errors";
import type { PaymentsDeps } from "./deps";
import { runTask } from "./provider-tasks";

export async function ensureIntent(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const task = await deps.db
    .selectFrom("providerTasks")
    .select(["id", "status"])
    .where("kind", "=", "create_intent")
    .where("paymentId", "=", paymentId)
    .executeTakeFirst();
  if (!task || task.status === "succeeded") return;
  const result = task.status === "pending" ? await runTask(deps, task.id) : { status: "failed" as const };
  if (result.status === "succeeded") return;
  // The hold stays; the same request (same Idempotency-Key) retried later finishes it. A provider
  // failure or our own deadline keeps its meaning (502 or 503); anything else is the provider's too.
  const cause = result.status === "retry" ? result.error : undefined;
  if (cause instanceof DomainError) throw cause;
  throw new DomainError("payment_provider_error", "The payment could not be started at the provider; retry the request", {}, cause);
}
