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
  providerTasksFailed: "ProviderTasksFailed",
  providerTasksOverdue: "ProviderTasksOverdue",
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
 * database functions DB_IAM_AUTH ("true"), DB_HOST (RDS Proxy endpoint), DB_PORT, DB_NAME and
 * DB_USER (the app role; lib/db-auth.ts signs its IAM token); the migrator alone DB_SECRET_ARN
 * (Aurora master credentials JSON) with DB_HOST the cluster endpoint; STRIPE_SECRET_ARN,
 * STRIPE_WEBHOOK_SECRET_ARN, DATA_KEY_SECRET_ARN (keyring "v2:<key>,v1:<key>" or one bare hex
 * key = v1), BLIND_INDEX_KEY_SECRET_ARN (blind-index key, 64 hex), PROVIDER_TASK_QUEUE_URL, WEBHOOK_QUEUE_URL,
 * HOLD_TTL_SECONDS, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE.
 * Locally DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, DATA_KEY, INDEX_KEY replace them.
 */
export const ENV_CONTRACT = [
  "DB_SECRET_ARN",
  "DB_IAM_AUTH",
  "DB_HOST",
  "DB_PORT",
  "DB_NAME",
  "DB_USER",
  "STRIPE_SECRET_ARN",
  "STRIPE_WEBHOOK_SECRET_ARN",
  "DATA_KEY_SECRET_ARN",
  "BLIND_INDEX_KEY_SECRET_ARN",
  "WEBHOOK_QUEUE_URL",
  "MAIL_QUEUE_URL",
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

/**
 * Emitted by the app, dimensions { service } (Powertools' default), one per occurrence; alarmed in
 * infra/alarms.ts. A burst of signature failures is a forged flood or a rotated signing secret; a
 * failed provider task is a Stripe call given up after its last attempt (money may be stuck).
 */
export const AppMetric = {
  webhookSignatureFailures: "WebhookSignatureFailures",
  providerTasksFailed: "ProviderTasksFailed",
} as const;

/** Emitted by the mail sender, dimensions { service, consumer: "mail" }. */
export const MailMetric = {
  sent: "MailSent",
  failed: "MailFailed",
  /** A resend after an attempt that died between sending and recording (SES cannot dedupe). */
  possibleDuplicate: "MailPossibleDuplicate",
} as const;
