// The webhook processor's core: an event's id is claimed in the inbox in the same transaction as its
// effect, so duplicates are no-ops; unknown types are acknowledged and recorded. A queue batch goes
// through processStripeBatch (one transaction for the batch), a lone event through processStripeEvent.
export { processStripeBatch, type ItemResult } from "./batch";
export { processStripeEvent } from "./single";
export type { ProcessResult, ProviderEvent, WebhookDeps } from "./types";
