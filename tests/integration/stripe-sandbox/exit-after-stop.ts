// Child-process script for the webhooks test: stop() must let the process exit despite pending work.
import Stripe from "stripe";
import { startStripeSandbox } from "@evently/stripe-sandbox";

const sandbox = await startStripeSandbox({
  webhookSecret: "whsec_exit",
  webhookUrl: process.env.WEBHOOK_URL,
  // Long enough that only stop() can end the in-flight delivery, its retry and the refund timer.
  refundDelayMs: 60_000,
  delivery: { maxAttempts: 10, initialDelayMs: 60_000, timeoutMs: 60_000 },
});
const stripe = new Stripe("sk_test_exit", { host: "127.0.0.1", port: sandbox.port, protocol: "http" });
const pi = await stripe.paymentIntents.create({
  amount: 1000,
  currency: "usd",
  payment_method: "pm_card_visa",
  confirm: true,
});
await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
await new Promise((resolve) => setTimeout(resolve, 300));
await sandbox.stop();
process.stdout.write("stopped\n");
