// A payment provider that answers at once, in process: the product's core order path measured
// without a network hop, so what remains is the product's own code and its SQL.
import { createFieldCipher } from "@evently/core/payments/crypto";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import type { PaymentGateway, ProviderIntent } from "@evently/core/ports/payment-gateway";
import type { Db } from "@evently/core/db/client";
import { LOCAL_DEFAULTS } from "@evently/local/env-defaults";

const notUsed = (): Promise<never> => Promise.reject(new Error("the instant gateway only creates intents"));

const instantGateway: PaymentGateway = {
  createIntent(i): Promise<ProviderIntent> {
    const id = `pi_bench_${i.paymentId.replace(/-/g, "")}`;
    return Promise.resolve({
      id,
      status: "requires_payment_method",
      amountMinor: i.amountMinor,
      currency: i.currency,
      clientSecret: `${id}_secret_bench`,
      paymentId: i.paymentId,
      latestChargeId: null,
      card: null,
      lastError: null,
    });
  },
  retrieveIntent: notUsed,
  cancelIntent: notUsed,
  createRefund: notUsed,
};

/** The payments dependencies the runtime builds, with the local keys and this gateway (or another). */
export const benchPaymentsDeps = (db: Db, gateway: PaymentGateway = instantGateway): PaymentsDeps => ({
  db,
  gateway,
  cipher: createFieldCipher(LOCAL_DEFAULTS.DATA_KEY, LOCAL_DEFAULTS.BLIND_INDEX_KEY),
  holdTtlSeconds: 900,
});
