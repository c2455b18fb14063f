// Builds the domain's dependencies once per container: database, Stripe gateway, field cipher.
import { createFieldCipher } from "@evently/core/payments/crypto";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import type { PaymentGateway } from "@evently/core/ports/payment-gateway";
import { config } from "./config";
import { getDb } from "./db";
import { getSecretValue } from "./secrets";
import { stripeGateway } from "./stripe-gateway";
import { getTaskQueue } from "./task-queue";

let deps: Promise<PaymentsDeps> | undefined;
let gatewayOverride: PaymentGateway | undefined;

export function paymentsDeps(): Promise<PaymentsDeps> {
  deps ??= Promise.all([getDb(), getSecretValue("data-key"), getSecretValue("blind-index-key")])
    .then(([db, dataKey, indexKey]) => ({
      db,
      gateway: gatewayOverride ?? stripeGateway,
      cipher: createFieldCipher(dataKey, indexKey),
      holdTtlSeconds: config.holdTtlSeconds,
      // Read at each dispatch: the local runtime registers its queue after the first import.
      get taskQueue() {
        return getTaskQueue();
      },
    }))
    .catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
  return deps;
}

/** The webhook processor needs exactly the payments dependencies. @alias */
export const webhookDeps = paymentsDeps;

/** Tests may swap the gateway (e.g. to simulate the provider being down). */
export function setPaymentGateway(gateway: PaymentGateway | undefined): void {
  gatewayOverride = gateway;
  deps = undefined;
}
