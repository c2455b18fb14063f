// The Stripe client, one per container: the real API in AWS, the local sandbox when
// STRIPE_API_BASE points at it (the SDK speaks plain HTTP to it via host/port/protocol).
// Timeouts and retries are set per request from the invocation's budget (stripe-budget.ts);
// these defaults only bound a call made without one.
import type Stripe from "stripe";
import { getSecretValue } from "./secrets";
import { STRIPE_CALL_CAP_MS } from "./stripe-budget";

let client: Promise<Stripe> | undefined;

async function create(): Promise<Stripe> {
  const { default: StripeSdk } = await import("stripe");
  const key = await getSecretValue("stripe-key");
  const base = process.env.STRIPE_API_BASE ? new URL(process.env.STRIPE_API_BASE) : undefined;
  return new StripeSdk(key, {
    maxNetworkRetries: 0,
    timeout: STRIPE_CALL_CAP_MS,
    telemetry: false,
    ...(base ? { host: base.hostname, port: Number(base.port), protocol: base.protocol.replace(":", "") as "http" | "https" } : {}),
  });
}

export function getStripe(): Promise<Stripe> {
  client ??= create().catch((error: unknown) => {
    client = undefined;
    throw error;
  });
  return client;
}
