// In-memory store of the sandbox's Stripe objects, with id generation and the JSON views the API returns.
import { randomBytes } from "node:crypto";
import type Stripe from "stripe";
import { invalidRequest, resourceMissing } from "./errors";
import {
  type Charge,
  type Dispute,
  type PaymentIntent,
  type PaymentMethod,
  type Refund,
  type StripeEvent,
  type StripeObject,
} from "./objects";
import { type TestCard } from "./cards";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

export function nowUnix(): number {
  return Math.floor(Date.now() / 1000);
}

type Json = Record<string, unknown>;

/** Everything the store holds, as plain JSON for the state file. */
export interface StateSnapshot {
  paymentIntents: PaymentIntent[];
  charges: Charge[];
  refunds: Refund[];
  paymentMethods: PaymentMethod[];
  cards: Array<[paymentMethodId: string, card: TestCard]>;
  disputes: Dispute[];
  events: StripeEvent[];
}

function refill<T extends { id: string }>(map: Map<string, T>, items: T[]): void {
  map.clear();
  for (const item of items) map.set(item.id, item);
}

export class SandboxState {
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  // The test card behind each PaymentMethod decides how later confirmations with it behave.
  readonly cards = new Map<string, TestCard>();
  readonly disputes = new Map<string, Dispute>();
  readonly events = new Map<string, StripeEvent>();

  snapshot(): StateSnapshot {
    return {
      paymentIntents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      paymentMethods: [...this.paymentMethods.values()],
      cards: [...this.cards],
      disputes: [...this.disputes.values()],
      events: [...this.events.values()],
    };
  }

  // Insertion order is kept, so lists and "oldest first" deliveries read as before the restart.
  restore(snapshot: StateSnapshot): void {
    refill(this.paymentIntents, snapshot.paymentIntents);
    refill(this.charges, snapshot.charges);
    refill(this.refunds, snapshot.refunds);
    refill(this.paymentMethods, snapshot.paymentMethods);
    this.cards.clear();
    for (const [id, card] of snapshot.cards) this.cards.set(id, card);
    refill(this.disputes, snapshot.disputes);
    refill(this.events, snapshot.events);
  }

  find(id: string): StripeObject | undefined {
    const prefix = id.split("_")[0];
    switch (prefix) {
      case "pi":
        return this.paymentIntents.get(id);
      case "ch":
        return this.charges.get(id);
      case "re":
        return this.refunds.get(id);
      case "pm":
        return this.paymentMethods.get(id);
      case "dp":
        return this.disputes.get(id);
      case "evt":
        return this.events.get(id);
      default:
        return undefined;
    }
  }

  refundsOf(chargeId: string): Refund[] {
    return [...this.refunds.values()].filter((r) => r.charge === chargeId);
  }

  // A detached snapshot, so later mutations never leak into stored responses or event payloads.
  view(object: StripeObject): Json {
    const json = structuredClone(object) as unknown as Json;
    if (object.object === "charge") {
      const refunds = this.refundsOf(object.id).reverse();
      json.refunds = {
        object: "list",
        data: refunds.map((r) => structuredClone(r)),
        has_more: false,
        total_count: refunds.length,
        url: `/v1/charges/${object.id}/refunds`,
      } satisfies Stripe.ApiList<Refund> & { total_count: number };
    }
    return json;
  }

  viewById(id: string, param = "id"): Json {
    const object = this.find(id);
    if (!object) throw resourceMissing(id, param);
    return this.view(object);
  }

  // Replaces id strings with the objects they name, following dotted paths like Stripe's `expand`.
  expand(json: Json, paths: string[]): Json {
    for (const path of paths) this.expandPath(json, path.split("."), path);
    return json;
  }

  private expandPath(json: Json, segments: string[], path: string): void {
    const [head, ...rest] = segments;
    if (head === undefined) return;
    const value = json[head];
    if (value === null || value === undefined) {
      if (value === undefined) throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
      return;
    }
    let target: Json;
    if (typeof value === "string") {
      const found = this.find(value);
      if (!found) throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
      target = this.view(found);
      json[head] = target;
    } else if (typeof value === "object") {
      target = value as Json;
    } else {
      throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
    }
    this.expandPath(target, rest, path);
  }
}
