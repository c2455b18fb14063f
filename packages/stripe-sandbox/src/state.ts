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
import { copy, TrackedMap } from "./tracked-map";

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

const COLLECTIONS = ["paymentIntents", "charges", "refunds", "paymentMethods", "cards", "disputes", "events"] as const;

/** The store's entries by collection, as written to the state file: all of them, or those changed since the last save. */
export type StateSnapshot = Record<(typeof COLLECTIONS)[number], Array<[string, object]>>;

export class SandboxState {
  readonly paymentIntents = new TrackedMap<PaymentIntent>();
  readonly charges = new TrackedMap<Charge>();
  readonly refunds = new TrackedMap<Refund>();
  readonly paymentMethods = new TrackedMap<PaymentMethod>();
  // The test card behind each PaymentMethod decides how later confirmations with it behave.
  readonly cards = new TrackedMap<TestCard>();
  readonly disputes = new TrackedMap<Dispute>();
  readonly events = new TrackedMap<StripeEvent>();

  snapshot(all: boolean): StateSnapshot {
    return Object.fromEntries(COLLECTIONS.map((name) => [name, this[name].changes(all)])) as StateSnapshot;
  }

  // Applied in file order, so later saves win and lists read in creation order as before the restart.
  restore(snapshot: StateSnapshot): void {
    for (const name of COLLECTIONS) (this[name] as TrackedMap<object>).load(snapshot[name]);
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
    const json = copy(object) as unknown as Json;
    if (object.object === "charge") {
      const refunds = this.refundsOf(object.id).reverse();
      json.refunds = {
        object: "list",
        data: refunds.map((r) => copy(r)),
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
