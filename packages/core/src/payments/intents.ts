// Creating the PaymentIntent for a payment, after the transaction that reserved the seats has
// committed; safe to repeat (our idempotency key, and an id already stored is reused).
import { DomainError } from "../errors";
import type { PaymentsDeps } from "./deps";
import { audit, providerIdOf, storeIntent } from "./payments.repository";

export const intentIdempotencyKey = (paymentId: string) => `evently-payment-${paymentId}-intent`;

export async function attachIntent(deps: PaymentsDeps, paymentId: string, description: string): Promise<{ id: string; clientSecret: string | null }> {
  const payment = await deps.db
    .selectFrom("payments")
    .select(["id", "amountMinor", "currency", "userId", "providerPaymentIdEnc", (eb) => eb.selectFrom("users").select("email").whereRef("users.id", "=", "payments.userId").as("receiptEmail")])
    .where("id", "=", paymentId)
    .executeTakeFirstOrThrow();
  const existing = providerIdOf(deps.cipher, payment.providerPaymentIdEnc);
  let intent;
  try {
    intent = existing
      ? await deps.gateway.retrieveIntent(existing)
      : await deps.gateway.createIntent({
          paymentId,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          description,
          idempotencyKey: intentIdempotencyKey(paymentId),
          receiptEmail: payment.receiptEmail,
        });
  } catch (error) {
    // The seats stay held until the hold expires; a retry of the same order resumes here.
    throw new DomainError("payment_provider_error", "The payment provider could not be reached; retry the request", {}, error);
  }
  if (!existing) {
    await storeIntent(deps.db, deps.cipher, paymentId, intent);
    await audit(deps.db, {
      paymentId,
      actionType: "PaymentProcessed",
      description: "PaymentIntent created at the provider",
      userId: payment.userId,
      newValues: { providerStatus: intent.status },
    });
  }
  return { id: intent.id, clientSecret: intent.clientSecret };
}
