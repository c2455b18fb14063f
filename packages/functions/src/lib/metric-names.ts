// CloudWatch metric names and dimensions: emitted by the functions (EMF), watched by infra/alarms.ts.

export const METRICS_NAMESPACE = "Evently";
/** Powertools adds `service` as the default dimension on every metric. */
export const SERVICE_NAME = "evently";

/** Emitted by the payment-health job, dimensions { service }. */
export const HealthMetric = {
  successRate24h: "PaymentSuccessRate24h", // percent 0–100
  failuresLastHour: "PaymentFailuresLastHour",
  avgProcessingSeconds: "PaymentAvgProcessingSeconds",
  pendingOver30m: "PaymentsPendingOver30m",
  refundsProcessingOver24h: "RefundsProcessingOver24h",
  webhookEventsFailed: "WebhookEventsFailed",
  webhookEventsUnprocessed: "WebhookEventsUnprocessed",
  seatCounterDrift: "SeatCounterDrift",
} as const;

/** Emitted by every scheduled job, dimensions { service, job }. */
export const JobMetric = {
  succeeded: "JobSucceeded", // 1 per successful run
  failed: "JobFailed",
  durationMs: "JobDurationMs",
} as const;

export const JOB_DIMENSION = "job";

/**
 * Environment each deployed function receives (set by infra, read by lib/config.ts):
 * DB_SECRET_ARN (Aurora credentials JSON), DB_HOST (RDS Proxy endpoint), DB_NAME,
 * STRIPE_SECRET_ARN, STRIPE_WEBHOOK_SECRET_ARN, DATA_KEY_SECRET_ARN, WEBHOOK_QUEUE_URL,
 * HOLD_TTL_SECONDS, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE.
 * Locally DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, DATA_KEY replace the secrets.
 */
export const ENV_CONTRACT = [
  "DB_SECRET_ARN", "DB_HOST", "DB_NAME", "STRIPE_SECRET_ARN", "STRIPE_WEBHOOK_SECRET_ARN",
  "DATA_KEY_SECRET_ARN", "WEBHOOK_QUEUE_URL", "MAIL_QUEUE_URL",
] as const;

/**
 * Emitted by the webhook processor, one per event and receive, dimensions { service, consumer }.
 * The `consumer` dimension keeps WebhookEventsFailed apart from the payment-health gauge above.
 */
export const WebhookMetric = {
  processed: "WebhookEventsProcessed",
  duplicate: "WebhookEventsDuplicate",
  failed: "WebhookEventsFailed",
} as const;

export const CONSUMER_DIMENSION = "consumer";

/** Emitted by the mail sender, dimensions { service, consumer: "mail" }. */
export const MailMetric = {
  sent: "MailSent",
  failed: "MailFailed",
  /** A resend after an attempt that died between sending and recording (SES cannot dedupe). */
  possibleDuplicate: "MailPossibleDuplicate",
} as const;
