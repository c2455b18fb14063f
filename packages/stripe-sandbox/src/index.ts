// Local Stripe sandbox: the Stripe REST paths the product calls, signed webhook delivery, and hooks for tests.
import http from "node:http";
import { type AddressInfo } from "node:net";
import { createDispute, type DisputeOptions } from "./charges";
import { type SandboxContext, Scheduler } from "./context";
import { DEFAULT_RETRY, type DeliveryAttempt, type RetryPolicy, WebhookDelivery } from "./delivery";
import { createEvent } from "./events";
import { FaultBook, type FaultSpec, type InjectedFault } from "./faults";
import { IdempotencyStore } from "./idempotency";
import { serveWithFaults, WithheldAnswers } from "./misbehave";
import { type Dispute, type Refund, type StripeEvent } from "./objects";
import { scheduleCompletion, settleRefund } from "./refunds";
import { handleHooks } from "./sandbox-routes";
import { handleV1, sendJson } from "./server";
import { Saver } from "./saver";
import { SandboxState } from "./state";
import { copy } from "./tracked-map";

export type { DeliveryAttempt, DeliveryKind, RetryPolicy } from "./delivery";
export type { FaultKind, FaultSpec, FaultStatus, InjectedFault } from "./faults";
export type { Charge, Dispute, PaymentIntent, Refund, StripeEvent } from "./objects";

export interface StripeSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  webhookUrl?: string;
  webhookSecret: string;
  /** How long a refund stays pending before it succeeds (default 100 ms); negative or Infinity holds refunds pending. */
  refundDelayMs?: number;
  delivery?: Partial<RetryPolicy>;
  /**
   * Keep objects, idempotency keys and owed webhook deliveries in this directory, saved after every
   * change and loaded at start, so a crash loses nothing Stripe would have kept. Without it, state is in memory only.
   */
  stateDir?: string;
  log?: (line: string) => void;
}

export interface SandboxFaults {
  /** Makes matching requests (or webhook deliveries) misbehave, for a count, a time window, or until cleared. */
  inject(spec: FaultSpec): InjectedFault;
  /** Ends every fault; answers withheld by timeout faults are dropped. */
  clear(): void;
  /** Every fault injected since start, with its hits: what a fault report needs. */
  list(): InjectedFault[];
}

export interface SandboxEventRecord {
  event: StripeEvent;
  deliveries: DeliveryAttempt[];
  delivered: boolean;
}

export interface StripeSandbox {
  url: string;
  port: number;
  stop(): Promise<void>;
  setWebhookUrl(url: string | null): void;
  events(filter?: { type?: string }): SandboxEventRecord[];
  waitForDeliveries(opts?: { timeoutMs?: number }): Promise<void>;
  redeliver(eventId: string): Promise<DeliveryAttempt>;
  pauseDelivery(): void;
  resumeDelivery(opts?: { order?: "fifo" | "reverse" }): void;
  deliverStale(eventId: string, secondsAgo?: number): Promise<DeliveryAttempt>;
  deliverTampered(eventId: string): Promise<DeliveryAttempt>;
  triggerDispute(paymentIntentId: string, opts?: DisputeOptions): Dispute;
  failRefund(refundId: string, failureReason?: string): Refund;
  completeRefund(refundId: string): Refund;
  holdRefunds(hold?: boolean): void;
  faults: SandboxFaults;
}

const DEFAULT_REFUND_DELAY_MS = 100;

export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const log = options.log ?? (() => {});
  let webhookUrl = options.webhookUrl ?? null;
  const requested = options.refundDelayMs ?? DEFAULT_REFUND_DELAY_MS;
  const autoDelay = Number.isFinite(requested) && requested >= 0 ? requested : DEFAULT_REFUND_DELAY_MS;
  let refundDelay: number | null = autoDelay === requested ? autoDelay : null;
  const state = new SandboxState();
  const idempotency = new IdempotencyStore();
  // Saved before an answer leaves, so whatever a client was told survives a crash right after.
  const persist = () => saver?.save();
  const scheduler = new Scheduler((error) => log(`stripe-sandbox timer failed: ${String(error)}`), persist);
  const faults = new FaultBook();
  const withheld = new WithheldAnswers();
  const delivery = new WebhookDelivery({
    state,
    scheduler,
    secret: options.webhookSecret,
    policy: { ...DEFAULT_RETRY, ...options.delivery },
    url: () => webhookUrl,
    faults,
    changed: persist,
    log,
  });
  const ctx: SandboxContext = {
    state,
    scheduler,
    refundTimers: new Map(),
    refundDelayMs: () => refundDelay,
    log,
    emit(type, object, request, previous) {
      const event = createEvent(state, { type, object, request, previous, pendingWebhooks: webhookUrl ? 1 : 0 });
      delivery.enqueue(event);
      return event;
    },
  };
  const saver = options.stateDir === undefined ? undefined : new Saver(options.stateDir, { state, idempotency, delivery });
  const owed = saver?.restore() ?? [];
  const resumePendingRefunds = () => {
    for (const refund of state.refunds.values()) {
      if (refund.status === "pending" && !ctx.refundTimers.has(refund.id)) scheduleCompletion(ctx, refund.id);
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const handled = url.pathname.startsWith("/_sandbox/")
      ? handleHooks(sandbox, req, res, url, persist)
      : serveWithFaults(
          {
            faults,
            withheld,
            handle: () => handleV1({ ctx, idempotency }, req, url),
            applied: (response) => response.mutating && persist(),
            log,
          },
          req,
          res,
          url,
        );
    handled.catch((error: unknown) => {
      log(`stripe-sandbox request failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { type: "api_error", message: "An unknown error occurred" } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;

  const sandbox: StripeSandbox = {
    url: `http://127.0.0.1:${port}`,
    port,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        saver?.stop();
        withheld.dropAll();
        scheduler.stop();
        delivery.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
    setWebhookUrl(url) {
      webhookUrl = url;
      delivery.release();
    },
    events(filter = {}) {
      return [...state.events.values()]
        .filter((event) => !filter.type || event.type === filter.type)
        .map((event) => {
          const deliveries = copy(delivery.attempts.get(event.id) ?? []);
          return { event: copy(event), deliveries, delivered: deliveries.some((d) => d.ok) };
        });
    },
    // Settled means nothing is sending or scheduled; events held by pauseDelivery() do not count.
    async waitForDeliveries({ timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (!scheduler.isStopped && !(delivery.idle && scheduler.pending === 0)) {
        if (Date.now() > deadline) {
          throw new Error(`stripe sandbox: deliveries still pending after ${timeoutMs} ms (${scheduler.pending} scheduled)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    redeliver: (eventId) => delivery.deliverNow(eventId, "redelivery"),
    pauseDelivery: () => delivery.pause(),
    resumeDelivery: ({ order = "fifo" } = {}) => delivery.resume(order),
    deliverStale: (eventId, secondsAgo = 600) => delivery.deliverNow(eventId, "stale", secondsAgo),
    deliverTampered: (eventId) => delivery.deliverNow(eventId, "tampered"),
    triggerDispute: (paymentIntentId, opts) => copy(createDispute(ctx, paymentIntentId, opts)),
    failRefund: (refundId, reason) => copy(settleRefund(ctx, refundId, "failed", reason)),
    completeRefund: (refundId) => copy(settleRefund(ctx, refundId, "succeeded")),
    holdRefunds(hold = true) {
      refundDelay = hold ? null : autoDelay;
      if (!hold) resumePendingRefunds();
    },
    faults: {
      inject: (spec) => faults.inject(spec),
      clear() {
        faults.clear();
        withheld.dropAll();
      },
      list: () => faults.list(),
    },
  };
  // Work that was under way when the last process died carries on, as Stripe's would.
  delivery.resumeOwed(owed);
  resumePendingRefunds();
  return sandbox;
}
