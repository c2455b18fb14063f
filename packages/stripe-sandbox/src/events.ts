// Builds Stripe Event objects: a snapshot of the object at the moment it changed, plus the request that changed it.
import Stripe from "stripe";
import { type RequestInfo } from "./context";
import { type EventType, type StripeEvent, type StripeObject } from "./objects";
import { newId, nowUnix, type SandboxState } from "./state";

// The version the installed SDK pins, so payloads look like what this SDK's types describe.
export const SANDBOX_API_VERSION: string = Stripe.API_VERSION;

export interface EventInput {
  type: EventType;
  object: StripeObject;
  request: RequestInfo | null;
  previous?: Record<string, unknown>;
  pendingWebhooks: number;
}

export function createEvent(state: SandboxState, input: EventInput): StripeEvent {
  const event: StripeEvent = {
    id: newId("evt"),
    object: "event",
    api_version: SANDBOX_API_VERSION,
    created: nowUnix(),
    data: { object: state.view(input.object) },
    livemode: false,
    pending_webhooks: input.pendingWebhooks,
    request: {
      id: input.request?.requestId ?? null,
      idempotency_key: input.request?.idempotencyKey ?? null,
    },
    type: input.type,
  };
  if (input.previous) event.data.previous_attributes = structuredClone(input.previous);
  // The watched copy: deliveries keep it and mark it delivered later.
  return state.events.put(event.id, event);
}

// Real deliveries are pretty-printed, which is why receivers must verify the raw bytes, not re-serialised JSON.
export function serialiseEvent(event: StripeEvent): string {
  return JSON.stringify(event, null, 2);
}

// An attacker's edit after signing: inflate the amount if there is one, otherwise add a field.
export function tamperPayload(payload: string): string {
  const event = JSON.parse(payload) as StripeEvent;
  const object = event.data.object;
  if (typeof object.amount === "number") object.amount = object.amount * 10 + 1;
  else object.tampered = true;
  return JSON.stringify(event, null, 2);
}

export function signPayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
