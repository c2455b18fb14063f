// Kysely table types for the webhook inbox, which makes webhook processing idempotent.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

export type WebhookProvider = "stripe";
export type WebhookEventStatus = "processed" | "ignored" | "failed";

/**
 * One row per provider event, inserted in the same transaction as the event's effect: a
 * redelivery violates webhook_events_provider_event_id_key (or finds the row with
 * ON CONFLICT DO NOTHING) and does nothing twice.
 */
export interface WebhookEventsTable {
  id: Generated<string>;
  provider: Generated<WebhookProvider>;
  /** Stripe's `evt_…` id: not a secret, stored in clear. */
  providerEventId: string;
  /** Provider event type, e.g. `payment_intent.succeeded`. */
  type: string;
  status: WebhookEventStatus;
  /** Short outcome string from the handler, for logs and ops. */
  outcome: string | null;
  attempts: Generated<number>;
  receivedAt: Generated<Date>;
  processedAt: Date | null;
  error: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type WebhookEvent = Selectable<WebhookEventsTable>;
export type NewWebhookEvent = Insertable<WebhookEventsTable>;
export type WebhookEventUpdate = Updateable<WebhookEventsTable>;
