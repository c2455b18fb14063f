// What the payments domain needs from the outside world, handed in by the caller.
import type { Db } from "../db/client";
import type { PaymentGateway } from "../ports/payment-gateway";
import type { Queue } from "../ports/queue";
import type { FieldCipher } from "./crypto";

export interface PaymentsDeps {
  db: Db;
  gateway: PaymentGateway;
  cipher: FieldCipher;
  holdTtlSeconds: number;
  /** Where provider tasks go after commit for the worker; without it the sweep finds them. */
  taskQueue?: Queue;
}

/** Where a request came from, for the audit log (it keeps the caller's ip and user agent). */
export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
}
