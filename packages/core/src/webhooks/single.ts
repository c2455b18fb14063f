// One webhook event in its own transaction: the path for a lone delivery, and the fallback for the
// events of a batch whose shared transaction failed (so one bad event never holds back the others).
import type { Trx } from "../db/transaction";
import { useTransaction } from "../db/transaction";
import { failpoint } from "../shared/failpoints";
import { handlers } from "./handlers";
import { claim, finish, recordFailure, type Finished } from "./inbox";
import type { PaymentOwners } from "./payment-owners";
import type { ProcessResult, ProviderEvent, WebhookDeps } from "./types";

const NO_OWNERS: PaymentOwners = new Map();

export const DUPLICATE: ProcessResult = { outcome: "duplicate: already processed", duplicate: true };

/** Network reads the event's decision needs, before any transaction opens (invariant 2). */
export async function prepareEvent(deps: WebhookDeps, event: ProviderEvent): Promise<unknown> {
  const handler = handlers[event.type];
  return handler?.prepare ? handler.prepare(deps, event) : undefined;
}

/** The event's effect inside a transaction that has claimed it; unknown types are acknowledged as ignored. */
export async function applyEffect(
  trx: Trx,
  deps: WebhookDeps,
  event: ProviderEvent,
  prepared: unknown,
  owners: PaymentOwners = NO_OWNERS,
): Promise<Omit<Finished, "eventId">> {
  const handler = handlers[event.type];
  if (!handler) return { status: "ignored", outcome: `ignored: ${event.type} is not handled` };
  return { status: "processed", outcome: await handler.apply(trx, deps, event, prepared as never, owners) };
}

/** Re-drives a handler's idempotent after-commit work when a redelivery finds its event already done. */
export async function resumeDuplicate(deps: WebhookDeps, event: ProviderEvent): Promise<void> {
  await handlers[event.type]?.resume?.(deps, event);
}

/** Claims and applies one prepared event in its own transaction; a failure is recorded in the inbox and rethrown. */
export async function applyAlone(deps: WebhookDeps, event: ProviderEvent, prepared: unknown): Promise<ProcessResult> {
  try {
    const result = await useTransaction(deps.db, async (trx): Promise<ProcessResult> => {
      if (!(await claim(trx, event))) return DUPLICATE;
      const { status, outcome } = await applyEffect(trx, deps, event, prepared);
      await finish(trx, event.id, status, outcome);
      return { outcome, duplicate: false };
    });
    await failpoint("webhook.after-commit");
    if (result.duplicate) await resumeDuplicate(deps, event);
    return result;
  } catch (error) {
    await recordFailure(deps.db, event, error).catch(() => undefined);
    throw error;
  }
}

/** One event, start to finish: prepare, then claim and apply in one transaction. */
export async function processStripeEvent(deps: WebhookDeps, event: ProviderEvent): Promise<ProcessResult> {
  let prepared: unknown;
  try {
    prepared = await prepareEvent(deps, event);
  } catch (error) {
    await recordFailure(deps.db, event, error).catch(() => undefined);
    throw error;
  }
  return applyAlone(deps, event, prepared);
}
