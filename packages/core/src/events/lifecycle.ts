// Status transitions of an event (draft → published, → cancelled), each with its history row.
import { sql } from "kysely";
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import type { Participation } from "../ticketing/ticketing.table";
import { notifyEventCancelled } from "../mail/notify";
import { managedEvent } from "./access";
import * as repo from "./events.repository";
import { CancelEventInput } from "./inputs";
import { parseInput } from "../shared/validation";
import { toEventView, type EventView } from "./views";

const CANCELLABLE_PARTICIPATIONS = ["active", "pending", "waitlisted"] as const;

export interface CancelEventHooks {
  /**
   * Called once with every participation this cancellation moved to `cancelled`, inside the
   * transaction, after seats were released. Payments registers one that settles their money in a
   * few set-based statements and leaves the provider calls to tasks (no network call in here).
   */
  onParticipationsCancelled?(trx: Trx, participations: Participation[], reason: string | null): Promise<void> | void;
}

const invalidState = (status: string, wanted: string) =>
  new DomainError("invalid_state", `The event is ${status}; only ${wanted} events can be changed this way`);

async function reloadView(trx: Trx, id: string): Promise<EventView> {
  const event = await repo.fromId(trx, id);
  if (!event) throw notFound("Event");
  return toEventView(event);
}

/** draft → published (409 invalid_state from any other status). */
export async function publishEvent(db: Db, actor: Actor, eventId: string): Promise<EventView> {
  return useTransaction(db, async (trx) => {
    const current = await managedEvent(trx, actor, eventId);
    const row = await repo.transition(trx, eventId, ["draft"], { status: "published", publishedAt: sql<Date>`now()` });
    if (!row) throw invalidState((await repo.fromId(trx, eventId))?.status ?? current.status, "draft");
    await repo.recordStatusChange(trx, { eventId, previousStatus: "draft", newStatus: "published", changedBy: actor.userId, reason: null });
    return reloadView(trx, eventId);
  });
}

/**
 * → cancelled, from draft or published, in one transaction: the event row is locked first (the
 * lock order of every seat-taking transaction), its seat counters and those of its ticket types
 * go back to 0, every active, pending or waitlisted participation becomes cancelled with the
 * reason (the history trigger records who and why), and `hooks` run once for all of them.
 */
export async function cancelEvent(
  db: Db,
  actor: Actor,
  eventId: string,
  input: CancelEventInput = {},
  hooks: CancelEventHooks = {},
): Promise<EventView> {
  const why = parseInput(CancelEventInput, input).reason ?? null;
  return useTransaction(db, async (trx) => {
    await managedEvent(trx, actor, eventId);
    const locked = await repo.lockForUpdate(trx, eventId);
    if (!locked) throw notFound("Event");
    if (!repo.OPEN_STATUSES.includes(locked.status)) throw invalidState(locked.status, "draft or published");

    await repo.transition(trx, eventId, repo.OPEN_STATUSES, { status: "cancelled", cancelledAt: sql<Date>`now()`, seatsTaken: 0 });
    // Every seat-holding participation is cancelled below, so nothing stays taken.
    await trx.updateTable("ticketTypes").set({ quantityTaken: 0 }).where("eventId", "=", eventId).where("quantityTaken", "<>", 0).execute();

    await setAuditContext(trx, { actorId: actor.userId, reason: why });
    const cancelled = await trx
      .updateTable("participations")
      .set({ status: "cancelled", cancelledAt: sql<Date>`now()`, cancellationReason: why, holdExpiresAt: null, updatedBy: actor.userId })
      .where("eventId", "=", eventId)
      .where("status", "in", CANCELLABLE_PARTICIPATIONS)
      .returningAll()
      .execute();
    cancelled.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    if (cancelled.length > 0) await hooks.onParticipationsCancelled?.(trx, cancelled, why);
    await notifyEventCancelled(
      trx,
      cancelled.map((p) => p.id),
      why,
    );

    await repo.recordStatusChange(trx, {
      eventId,
      previousStatus: locked.status,
      newStatus: "cancelled",
      changedBy: actor.userId,
      reason: why,
    });
    return reloadView(trx, eventId);
  });
}
