// A provider that refunds at once, in process, and keeps its own books as Stripe would: one refund
// per idempotency key however often it is asked. The cancel stage drains the product's refund tasks
// against it, then reads the books to prove that no refund was sent twice.
import type { PaymentGateway, ProviderRefund } from "@evently/core/ports/payment-gateway";
import type { ProviderEvent } from "@evently/core/webhooks/types";

interface BookedRefund extends ProviderRefund {
  /** Our refund id, as the product puts it in the refund's metadata. */
  refundId: string;
}

export interface RefundBooks {
  /** Every createRefund call, repeats included. */
  calls: number;
  /** One refund per idempotency key: what the provider actually paid out. */
  refunds(): BookedRefund[];
}

const notUsed = (): Promise<never> => Promise.reject(new Error("the refunding gateway only sends refunds"));

export function refundingGateway(): PaymentGateway & { books: RefundBooks } {
  const byKey = new Map<string, BookedRefund>();
  const books: RefundBooks = { calls: 0, refunds: () => [...byKey.values()] };
  return {
    books,
    createIntent: notUsed,
    retrieveIntent: notUsed,
    cancelIntent: notUsed,
    createRefund(input) {
      books.calls++;
      let refund = byKey.get(input.idempotencyKey);
      if (!refund) {
        refund = {
          id: `re_bench_${byKey.size.toString(36).padStart(8, "0")}`,
          status: "succeeded",
          amountMinor: input.amountMinor,
          paymentIntentId: input.paymentIntentId,
          failureReason: null,
          refundId: input.refundId,
        };
        byKey.set(input.idempotencyKey, refund);
      }
      return Promise.resolve(refund);
    },
  };
}

/** The refund.updated events the provider sends once each refund has succeeded. */
export function refundSucceededEvents(refunds: readonly BookedRefund[]): ProviderEvent[] {
  const created = Math.floor(Date.now() / 1000);
  return refunds.map((r, i) => ({
    id: `evt_bench_refund_${i.toString(36).padStart(8, "0")}`,
    type: "refund.updated",
    created,
    data: {
      object: {
        id: r.id,
        object: "refund",
        amount: r.amountMinor,
        currency: "usd",
        status: r.status,
        payment_intent: r.paymentIntentId,
        metadata: { refundId: r.refundId },
      },
    },
  }));
}
