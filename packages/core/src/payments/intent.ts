// A buyer needs a PaymentIntent to pay: right after their hold commits (the request holds the
// task's lease and every fact the provider call needs), or later, when its creation is still a
// pending task because the provider was down or the request that recorded it died.
import { DomainError } from "../errors";
import type { IdempotencyRequest } from "../idempotency";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps } from "./deps";
import { recordHeldIntent, type CreatedIntent, type HeldOrder } from "./hold.repository";
import { attemptFailed, runTask, type TaskResult } from "./provider-tasks";
import { requestIntent } from "./provider-work";

/**
 * The hold stays; the same request (same Idempotency-Key) retried later finishes it. A provider
 * failure or our own deadline keeps its meaning (502 or 503); anything else is the provider's too.
 */
function providerFailure(result: TaskResult): DomainError {
  const cause = result.status === "retry" ? result.error : undefined;
  if (cause instanceof DomainError) return cause;
  return new DomainError("payment_provider_error", "The payment could not be started at the provider; retry the request", {}, cause);
}

export async function ensureIntent(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const task = await deps.db
    .selectFrom("providerTasks")
    .select(["id", "status"])
    .where("kind", "=", "create_intent")
    .where("paymentId", "=", paymentId)
    .executeTakeFirst();
  if (!task || task.status === "succeeded") return;
  const result = task.status === "pending" ? await runTask(deps, task.id) : { status: "failed" as const, outcome: "failed" };
  if (result.status !== "succeeded") throw providerFailure(result);
}

/** The intent of an order's pending payment, if it has one. */
export async function ensureOrderIntent(deps: PaymentsDeps, orderId: string): Promise<void> {
  const payment = await deps.db
    .selectFrom("payments")
    .select("id")
    .where("orderId", "=", orderId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (payment) await ensureIntent(deps, payment.id);
}

/**
 * The intent of a hold this request just committed, its task already leased to it: the provider
 * call, then one statement recording the intent, the task's success and the completed key. A
 * failed call goes through the task's usual bookkeeping (backoff or failed for good).
 */
export async function startHeldIntent(
  deps: PaymentsDeps,
  held: HeldOrder & { userId: string },
  key: IdempotencyRequest | undefined,
): Promise<CreatedIntent> {
  let intent: CreatedIntent;
  try {
    intent = await requestIntent(deps, { ...held.payment, title: held.eventTitle, receiptEmail: held.receiptEmail });
  } catch (error) {
    const task = { id: held.taskId, kind: "create_intent" as const, paymentId: held.payment.id, refundId: null, attempts: 1 };
    throw providerFailure(await attemptFailed(deps, task, error));
  }
  await recordHeldIntent(deps.db, deps.cipher, held, intent, key);
  await failpoint("task.after-record");
  return intent;
}
