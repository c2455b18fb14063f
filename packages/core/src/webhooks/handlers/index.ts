// The allow-list of provider event types we act on, one handler file each.
import type { EventHandler } from "../types";
import { chargeDisputeCreated } from "./charge-dispute-created";
import { chargeRefunded } from "./charge-refunded";
import { paymentIntentCanceled } from "./payment-intent-canceled";
import { paymentIntentPaymentFailed } from "./payment-intent-payment-failed";
import { paymentIntentSucceeded } from "./payment-intent-succeeded";
import { refundCreated } from "./refund-created";
import { refundFailed } from "./refund-failed";
import { refundUpdated } from "./refund-updated";

export const handlers: Record<string, EventHandler<never> | undefined> = {
  "payment_intent.succeeded": paymentIntentSucceeded as EventHandler<never>,
  "payment_intent.payment_failed": paymentIntentPaymentFailed as EventHandler<never>,
  "payment_intent.canceled": paymentIntentCanceled as EventHandler<never>,
  "refund.created": refundCreated as EventHandler<never>,
  "refund.updated": refundUpdated as EventHandler<never>,
  "refund.failed": refundFailed as EventHandler<never>,
  "charge.refunded": chargeRefunded as EventHandler<never>,
  "charge.dispute.created": chargeDisputeCreated as EventHandler<never>,
};
