// Shapes shared by the webhook dispatcher and its one-file-per-type handlers.
import type { Trx } from "../db/transaction";
import type { PaymentsDeps } from "../payments/deps";
import type { PaymentOwners } from "./payment-owners";

/** The part of a (signature-verified) Stripe event the processor reads. */
export interface ProviderEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export type WebhookDeps = PaymentsDeps;

export interface ProcessResult {
  /** Short outcome string for the log, e.g. `completed: participation active`. */
  outcome: string;
  duplicate: boolean;
}

export interface EventHandler<P = unknown> {
  /** Network reads the decision needs, done BEFORE the transaction opens (invariant 2). */
  prepare?(deps: WebhookDeps, event: ProviderEvent): Promise<P>;
  /**
   * The effect, inside the transaction that also claims the event id. Returns a short outcome.
   * `owners`: the payments of the batch's intents, looked up together (empty for a lone event).
   */
  apply(trx: Trx, deps: WebhookDeps, event: ProviderEvent, prepared: P, owners: PaymentOwners): Promise<string>;
  /** Re-drives idempotent after-commit effects when a redelivery finds the event already done. */
  resume?(deps: WebhookDeps, event: ProviderEvent): Promise<void>;
}

export const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
export const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});
/** A metadata value that is a well-formed uuid, else null (anything else could never name our row). */
export const uuidOrNull = (v: unknown): string | null => {
  const text = str(v);
  return text && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text) ? text : null;
};
