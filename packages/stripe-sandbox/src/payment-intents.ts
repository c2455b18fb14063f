// PaymentIntent endpoints: create, retrieve, update, confirm and cancel, with Stripe's status rules.
import { randomBytes } from "node:crypto";
import { resolvePaymentMethod } from "./cards";
import { createCharge } from "./charges";
import { type RequestInfo, type SandboxContext } from "./context";
import { docUrl, invalidRequest, resourceMissing, StripeApiError, unexpectedState } from "./errors";
import { type Params } from "./form";
import { type PaymentIntent, type PaymentIntentStatus } from "./objects";
import * as p from "./params";
import { newId, nowUnix } from "./state";
import { copy } from "./tracked-map";

type Json = Record<string, unknown>;

// Real parameters the product might send; the sandbox accepts them and models only the ones that matter here.
const COMMON = [
  "expand",
  "payment_method",
  "receipt_email",
  "return_url",
  "off_session",
  "setup_future_usage",
  "payment_method_options",
  "payment_method_types",
  "shipping",
  "mandate",
  "mandate_data",
  "error_on_requires_action",
  "use_stripe_sdk",
  "capture_method",
  "payment_method_data",
  "radar_options",
];
const CREATE = [
  ...COMMON,
  "amount",
  "currency",
  "automatic_payment_methods",
  "confirm",
  "customer",
  "description",
  "metadata",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "application_fee_amount",
  "confirmation_method",
  "on_behalf_of",
  "payment_method_configuration",
  "transfer_data",
  "transfer_group",
];
const UPDATE = [
  "expand",
  "amount",
  "currency",
  "customer",
  "description",
  "metadata",
  "payment_method",
  "receipt_email",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "setup_future_usage",
];
const CANCEL_REASONS = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"] as const;
const CONFIRMABLE: PaymentIntentStatus[] = ["requires_payment_method", "requires_confirmation", "requires_action"];
const CANCELABLE: PaymentIntentStatus[] = [...CONFIRMABLE, "requires_capture", "processing"];
const MINIMUM: Record<string, [number, string]> = { usd: [50, "$"], eur: [50, "€"], gbp: [30, "£"], cad: [50, "$"] };

function find(ctx: SandboxContext, id: string): PaymentIntent {
  const pi = ctx.state.paymentIntents.get(id);
  if (!pi) throw resourceMissing(id, "intent");
  return pi;
}

function render(ctx: SandboxContext, pi: PaymentIntent, params: Params): Json {
  return ctx.state.expand(ctx.state.view(pi), p.expandList(params));
}

function readCurrency(params: Params, required: boolean): string | undefined {
  const raw = required ? p.reqString(params, "currency") : p.optString(params, "currency");
  if (raw !== undefined && !/^[a-zA-Z]{3}$/.test(raw)) {
    throw invalidRequest(`Invalid currency: ${raw.toLowerCase()}.`, { param: "currency" });
  }
  return raw?.toLowerCase();
}

// Stripe refuses amounts below the card networks' minimum charge.
function checkMinimum(amount: number, currency: string): void {
  const [minimum, symbol] = MINIMUM[currency] ?? [50, ""];
  if (amount < minimum) {
    throw invalidRequest(`Amount must be at least ${symbol}${(minimum / 100).toFixed(2)} ${currency}`, {
      code: "amount_too_small",
      param: "amount",
    });
  }
}

// Since API version 2023-08-16 automatic payment methods are on unless explicit types are listed.
function automaticPaymentMethods(params: Params): PaymentIntent["automatic_payment_methods"] {
  const apm = p.optObject(params, "automatic_payment_methods");
  if (!apm && params.payment_method_types !== undefined) return null;
  return {
    enabled: apm ? p.optBool(apm, "enabled") !== false : true,
    allow_redirects: (apm && p.optEnum(apm, "allow_redirects", ["always", "never"] as const)) ?? "always",
  };
}

export function createPaymentIntent(ctx: SandboxContext, params: Params, req: RequestInfo): Json {
  p.allowOnly(params, CREATE);
  const amount = p.reqInt(params, "amount", 1);
  const currency = readCurrency(params, true) as string;
  checkMinimum(amount, currency);
  const types = params.payment_method_types;
  const id = newId("pi");
  const pi: PaymentIntent = {
    id,
    object: "payment_intent",
    amount,
    amount_capturable: 0,
    amount_received: 0,
    automatic_payment_methods: automaticPaymentMethods(params),
    canceled_at: null,
    cancellation_reason: null,
    capture_method: p.optString(params, "capture_method") === "automatic" ? "automatic" : "automatic_async",
    client_secret: `${id}_secret_${randomBytes(12).toString("base64url")}`,
    confirmation_method: "automatic",
    created: nowUnix(),
    currency,
    customer: p.optString(params, "customer") ?? null,
    description: p.optString(params, "description") ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: p.applyMetadata({}, params),
    next_action: null,
    payment_method: null,
    payment_method_types: Array.isArray(types) ? types.map(String) : ["card"],
    receipt_email: p.optString(params, "receipt_email") ?? null,
    status: "requires_payment_method",
  };
  const pmRef = p.optString(params, "payment_method");
  if (pmRef) {
    pi.payment_method = resolvePaymentMethod(ctx.state, pmRef).method.id;
    pi.status = "requires_confirmation";
  }
  const confirm = p.optBool(params, "confirm") ?? false;
  ctx.state.paymentIntents.set(pi.id, pi);
  if (confirm) attemptConfirmation(ctx, pi, undefined, req);
  return render(ctx, pi, params);
}

export function retrievePaymentIntent(ctx: SandboxContext, id: string, params: Params): Json {
  p.allowOnly(params, ["expand", "client_secret"]);
  return render(ctx, find(ctx, id), params);
}

export function updatePaymentIntent(ctx: SandboxContext, id: string, params: Params): Json {
  p.allowOnly(params, UPDATE);
  const pi = find(ctx, id);
  const amount = p.optInt(params, "amount", 1);
  const currency = readCurrency(params, false);
  const pmRef = p.optString(params, "payment_method");
  if ((amount !== undefined || currency !== undefined || pmRef) && !CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(`You cannot update this PaymentIntent because it has a status of ${pi.status}.`);
  }
  if (amount !== undefined || currency !== undefined) checkMinimum(amount ?? pi.amount, currency ?? pi.currency);
  if (amount !== undefined) pi.amount = amount;
  if (currency !== undefined) pi.currency = currency;
  if (pmRef) {
    pi.payment_method = resolvePaymentMethod(ctx.state, pmRef).method.id;
    pi.status = "requires_confirmation";
  }
  pi.metadata = p.applyMetadata(pi.metadata, params);
  const description = p.optString(params, "description");
  if (description !== undefined) pi.description = description;
  const email = p.optString(params, "receipt_email");
  if (email !== undefined) pi.receipt_email = email;
  return render(ctx, pi, params);
}

export function confirmPaymentIntent(ctx: SandboxContext, id: string, params: Params, req: RequestInfo): Json {
  p.allowOnly(params, [...COMMON, "client_secret"]);
  const pi = find(ctx, id);
  attemptConfirmation(ctx, pi, p.optString(params, "payment_method"), req);
  return render(ctx, pi, params);
}

// A decline leaves the PaymentIntent reusable and answers 402, as Stripe does, so the SDK throws StripeCardError.
function attemptConfirmation(ctx: SandboxContext, pi: PaymentIntent, pmRef: string | undefined, req: RequestInfo): void {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      pi.status === "succeeded"
        ? "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
        : `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
    );
  }
  const ref = pmRef ?? pi.payment_method;
  if (!ref) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
    );
  }
  const { method, test } = resolvePaymentMethod(ctx.state, ref);
  const charge = createCharge(ctx.state, pi, method, test);
  pi.latest_charge = charge.id;
  if (!test.decline) {
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    pi.payment_method = method.id;
    pi.last_payment_error = null;
    ctx.emit("payment_intent.succeeded", pi, req);
    return;
  }
  const { code, decline_code, message } = test.decline;
  const error = { type: "card_error" as const, code, decline_code, message, doc_url: docUrl(code), charge: charge.id };
  pi.status = "requires_payment_method";
  pi.payment_method = null;
  pi.last_payment_error = { ...error, payment_method: copy(method) };
  ctx.emit("payment_intent.payment_failed", pi, req);
  throw new StripeApiError(402, {
    ...error,
    payment_intent: ctx.state.view(pi),
    payment_method: ctx.state.view(method),
    request_log_url: `https://dashboard.stripe.com/test/logs/${req.requestId ?? ""}`,
  });
}

export function cancelPaymentIntent(ctx: SandboxContext, id: string, params: Params, req: RequestInfo): Json {
  p.allowOnly(params, ["expand", "cancellation_reason"]);
  const pi = find(ctx, id);
  const reason = p.optEnum(params, "cancellation_reason", CANCEL_REASONS);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
    );
  }
  pi.status = "canceled";
  pi.canceled_at = nowUnix();
  pi.cancellation_reason = reason ?? null;
  ctx.emit("payment_intent.canceled", pi, req);
  return render(ctx, pi, params);
}
