// A queue batch of webhook events in one transaction: one statement claims every event id in the
// inbox, one finds the payments their intents name, the claimed events apply one after another in
// `created` order (so two events of one payment apply in the order the provider made them), one
// statement records their outcomes, one commit.
//
// Why one transaction and not a set-based statement per event type: every effect keeps its guards
// (row locks, forward-only statuses, amount and currency checks, seat re-takes, refunds) exactly as
// the single-event path has them, while the batch saves what dominated: a transaction, a claim, a
// finish and a commit per event. If anything in the batch fails (a bad event, a deadlock after
// its retries, a timeout), the whole transaction rolls back and each event runs again in its own
// transaction, in the same order: the others apply, and only the events that fail again are reported.
import { useTransaction, type Trx } from "../db/transaction";
import { failpoint } from "../shared/failpoints";
import { claimAll, finishAll, recordFailure, type Finished } from "./inbox";
import { paymentOwners } from "./payment-owners";
import { applyAlone, applyEffect, DUPLICATE, prepareEvent, resumeDuplicate } from "./single";
import type { ProcessResult, ProviderEvent, WebhookDeps } from "./types";

export type ItemResult = { ok: true; result: ProcessResult } | { ok: false; error: unknown };

interface Ready {
  event: ProviderEvent;
  prepared: unknown;
  /** Position among the batch's distinct events: the tie-break for events made in the same second. */
  position: number;
}

const IN_BATCH_COPY: ItemResult = { ok: true, result: { outcome: "duplicate: delivered twice in one batch", duplicate: true } };

/** Processes a batch; the results are in the order of `events`, one per event, and say which failed. */
export async function processStripeBatch(deps: WebhookDeps, events: readonly ProviderEvent[]): Promise<ItemResult[]> {
  const distinct = events.filter((event, i) => events.findIndex((other) => other.id === event.id) === i);
  const results = new Map<string, ItemResult>();
  const ready: Ready[] = [];
  // Provider reads run concurrently, outside any transaction; an event whose read fails fails alone.
  await Promise.all(
    distinct.map(async (event, position) => {
      try {
        ready.push({ event, prepared: await prepareEvent(deps, event), position });
      } catch (error) {
        await recordFailure(deps.db, event, error).catch(() => undefined);
        results.set(event.id, { ok: false, error });
      }
    }),
  );
  ready.sort((a, b) => a.event.created - b.event.created || a.position - b.position);
  for (const [id, result] of await applyReady(deps, ready)) results.set(id, result);
  // A second copy of an event in the same batch shares the first copy's fate: acknowledged once it applied.
  const seen = new Set<string>();
  return events.map((event) => {
    const result = results.get(event.id)!;
    if (seen.has(event.id) && result.ok) return IN_BATCH_COPY;
    seen.add(event.id);
    return result;
  });
}

async function applyReady(deps: WebhookDeps, ready: readonly Ready[]): Promise<Map<string, ItemResult>> {
  const out = new Map<string, ItemResult>();
  if (ready.length === 0) return out;
  let together: Map<string, ProcessResult>;
  try {
    together = await useTransaction(deps.db, (trx) => applyTogether(trx, deps, ready));
  } catch {
    // The batch's transaction rolled back (an effect after its commit may also have thrown; each
    // event's own inbox claim makes running it again harmless): each event alone, in created order.
    for (const { event, prepared } of ready) {
      out.set(event.id, await applyAlone(deps, event, prepared).then(ok, failed));
    }
    return out;
  }
  try {
    await failpoint("webhook.after-commit");
  } catch (error) {
    // Committed but not acknowledged, as after a crash: the redelivery finds every event done.
    for (const { event } of ready) out.set(event.id, failed(error));
    return out;
  }
  // Redeliveries re-drive their after-commit work together: a read or two each, outside any transaction.
  await Promise.all(
    ready.map(async ({ event }) => {
      const result = together.get(event.id)!;
      out.set(event.id, result.duplicate ? await resumeDuplicate(deps, event).then(() => ok(result), failed) : ok(result));
    }),
  );
  return out;
}

async function applyTogether(trx: Trx, deps: WebhookDeps, ready: readonly Ready[]): Promise<Map<string, ProcessResult>> {
  const claimed = await claimAll(
    trx,
    ready.map((r) => r.event),
  );
  const results = new Map<string, ProcessResult>();
  const finished: Finished[] = [];
  const owners = await paymentOwners(
    trx,
    deps.cipher,
    ready.filter((r) => claimed.has(r.event.id)).map((r) => r.event),
  );
  for (const { event, prepared } of ready) {
    if (!claimed.has(event.id)) {
      results.set(event.id, DUPLICATE);
      continue;
    }
    const effect = await applyEffect(trx, deps, event, prepared, owners);
    finished.push({ eventId: event.id, ...effect });
    results.set(event.id, { outcome: effect.outcome, duplicate: false });
  }
  await finishAll(trx, finished);
  await failpoint("webhook.batch-before-commit");
  return results;
}

const ok = (result: ProcessResult): ItemResult => ({ ok: true, result });
const failed = (error: unknown): ItemResult => ({ ok: false, error });
