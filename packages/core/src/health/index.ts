// Health reads: database reachability for /health and the payment-health snapshot for operators.
export { databaseReachable } from "./database";
export { latestPaymentHealth, measurePaymentHealth, paymentHealth, type PaymentHealthSnapshotView } from "./payment-health";
