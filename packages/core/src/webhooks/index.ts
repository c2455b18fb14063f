// The webhook processor's core: claim the event id and apply its effect in one transaction;
// duplicates are no-ops, unknown types are acknowledged and recorded.
import { useTransaction } from "../db/transaction";
import { failpoint } from "../shared/failpoints";
import { handlers } from "./handlers";
import { claim, finish, recordFailure } from "./inbox";
import type { ProviderEvent, WebhookDeps } from "./types";

export type { ProviderEvent, WebhookDeps } from "./types";

export interface ProcessResult {
  outcome: string;
  duplicate: boolean;
}

export async function processStripeEvent(deps: WebhookDeps, event: ProviderEvent): Promise<ProcessResult> {
  const handler = handlers[event.type];
  try {
    const prepared = handler?.prepare ? await handler.prepare(deps, event) : undefined;
    const result = await useTransaction(deps.db, async (trx): Promise<ProcessResult> => {
      if (!(await claim(trx, event))) return { outcome: "duplicate: already processed", duplicate: true };
      const outcome = handler ? await handler.apply(trx, deps, event, prepared as never) : `ignored: ${event.type} is not handled`;
      await finish(trx, event.id, handler ? "processed" : "ignored", outcome);
      return { outcome, duplicate: false };
    });
    await failpoint("webhook.after-commit");
    if (result.duplicate) await handler?.resume?.(deps, event);
    return result;
  } catch (error) {
    await recordFailure(deps.db, event, error).catch(() => undefined);
    throw error;
  }
}
