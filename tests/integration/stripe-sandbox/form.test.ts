// The sandbox's parser for Stripe's bracketed form encoding, checked against what the SDK actually sends.
import { describe, expect, it } from "vitest";
import { parseForm } from "@evently/stripe-sandbox/form";

describe("stripe sandbox: form parsing", () => {
  it("builds nested objects and arrays from bracket keys", () => {
    const raw =
      "amount=2000&currency=usd&metadata[paymentId]=p%201&metadata[note]=a+b&expand[0]=latest_charge&expand[1]=payment_method" +
      "&automatic_payment_methods[enabled]=true&payment_method_types[]=card&payment_method_types[]=link";
    expect(parseForm(raw)).toEqual({
      amount: "2000",
      currency: "usd",
      metadata: { paymentId: "p 1", note: "a b" },
      expand: ["latest_charge", "payment_method"],
      automatic_payment_methods: { enabled: "true" },
      payment_method_types: ["card", "link"],
    });
  });

  it("accepts percent-encoded brackets and empty values", () => {
    expect(parseForm("metadata%5Bk%5D=v&description=")).toEqual({ metadata: { k: "v" }, description: "" });
  });

  it("rejects keys that would pollute prototypes or mix scalars with objects", () => {
    expect(() => parseForm("metadata[__proto__][x]=1")).toThrow(/Invalid parameter/);
    expect(() => parseForm("metadata=x&metadata[k]=v")).toThrow(/Invalid parameter/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
