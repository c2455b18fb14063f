// Which Stripe a contract test talks to: the local sandbox always, Stripe's test mode only when STRIPE_SECRET_KEY is a test key.
import Stripe from "stripe";
import { startStripeSandbox } from "@evently/stripe-sandbox";

export interface StripeTarget {
  name: string;
  /** Why this target does not run here, or null when it does. */
  skip: string | null;
  connect(): Promise<{ stripe: Stripe; stop(): Promise<void> }>;
}

const sandbox: StripeTarget = {
  name: "local sandbox",
  skip: null,
  async connect() {
    const running = await startStripeSandbox({ webhookSecret: "whsec_contract" });
    const stripe = new Stripe("sk_test_contract", { host: "127.0.0.1", port: running.port, protocol: "http", maxNetworkRetries: 0 });
    return { stripe, stop: () => running.stop() };
  },
};

function testModeSkipReason(key: string | undefined): string | null {
  if (!key) return "STRIPE_SECRET_KEY is not set";
  // Never live mode: these tests create and refund payments.
  if (!key.startsWith("sk_test_") && !key.startsWith("rk_test_")) return "STRIPE_SECRET_KEY is not a test-mode key";
  return null;
}

const testMode: StripeTarget = {
  name: "Stripe test mode",
  skip: testModeSkipReason(process.env.STRIPE_SECRET_KEY),
  async connect() {
    const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? "", { maxNetworkRetries: 2, telemetry: false });
    return { stripe, stop: async () => undefined };
  },
};

export const TARGETS: StripeTarget[] = [sandbox, testMode];

/** The describe title, with the reason when the target is skipped, so the report says why. */
export function contractTitle(target: StripeTarget): string {
  return `stripe contract: ${target.name}${target.skip ? ` (skipped: ${target.skip})` : ""}`;
}
