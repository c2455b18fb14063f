// Signed webhook delivery: queued after each state change, retried with backoff, plus the test-only variants.
import type http from "node:http";
import { type Scheduler } from "./context";
import { resourceMissing } from "./errors";
import { type FaultBook, WEBHOOK_ENDPOINT } from "./faults";
import { serialiseEvent, signPayload, tamperPayload } from "./events";
import { postWebhook, type PostResult } from "./http-post";
import { type StripeEvent } from "./objects";
import { nowUnix, type SandboxState } from "./state";
import { TrackedMap } from "./tracked-map";

export type DeliveryKind = "initial" | "redelivery" | "stale" | "tampered";

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  kind: DeliveryKind;
  attempt: number;
  url: string | null;
  at: string;
  signatureTimestamp: number;
  status: number | null;
  ok: boolean;
  error: string | null;
  responseBody: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 250, maxDelayMs: 5_000, timeoutMs: 10_000 };

interface Job {
  event: StripeEvent;
  kind: "initial" | "redelivery";
  attempt: number;
}

/** Attempts made and deliveries still owed (queued, held or waiting to retry), for the state file. */
export interface DeliverySnapshot {
  attempts: Array<[eventId: string, attempts: DeliveryAttempt[]]>;
  outstanding: Array<{ eventId: string; kind: Job["kind"]; attempt: number }>;
}

interface DeliveryOptions {
  state: SandboxState;
  scheduler: Scheduler;
  secret: string;
  policy: RetryPolicy;
  url: () => string | null;
  faults: FaultBook;
  /** Called after every attempt and every delivery given up, so the state file keeps up. */
  changed: () => void;
  log: (line: string) => void;
}

export class WebhookDelivery {
  readonly attempts = new TrackedMap<DeliveryAttempt[]>();
  // Every delivery not yet acknowledged nor given up, by event id: what a restart must resume.
  private readonly outstanding = new Map<string, Job>();
  private readonly queue: Job[] = [];
  // Jobs waiting for resumeDelivery() or for a webhook URL to be configured.
  private readonly held: Job[] = [];
  private readonly inflight = new Set<http.ClientRequest>();
  private paused = false;
  private pumping = false;
  private busy = 0;
  private stopped = false;

  constructor(private readonly opts: DeliveryOptions) {}

  enqueue(event: StripeEvent): void {
    this.admit({ event, kind: "initial", attempt: 1 });
  }

  // Attempts: all, or those changed since the last save. Outstanding: always the whole (short) list.
  snapshot(all: boolean): DeliverySnapshot {
    return {
      attempts: this.attempts.changes(all),
      outstanding: [...this.outstanding.values()].map(({ event, kind, attempt }) => ({ eventId: event.id, kind, attempt })),
    };
  }

  // After a restart: the log as it was, read back before anything else happens...
  restoreLog(snapshot: DeliverySnapshot): void {
    this.attempts.load(snapshot.attempts);
  }

  // ...and, once the sandbox listens, every owed delivery sent again at once, oldest first.
  resumeOwed(outstanding: DeliverySnapshot["outstanding"]): void {
    for (const { eventId, kind, attempt } of outstanding) {
      const event = this.opts.state.events.get(eventId);
      if (event) this.admit({ event, kind, attempt });
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(order: "fifo" | "reverse" = "fifo"): void {
    this.paused = false;
    this.release(order);
  }

  // Called when the URL changes: events raised before anyone listened go out now, oldest first.
  release(order: "fifo" | "reverse" = "fifo"): void {
    const jobs = this.held.splice(0);
    if (order === "reverse") jobs.reverse();
    for (const job of jobs) this.admit(job);
  }

  get heldCount(): number {
    return this.held.length;
  }

  get idle(): boolean {
    return !this.pumping && this.queue.length === 0 && this.busy === 0;
  }

  // Test hooks deliver at once, even while paused: a test asked for exactly this delivery.
  async deliverNow(eventId: string, kind: Exclude<DeliveryKind, "initial">, secondsAgo = 0): Promise<DeliveryAttempt> {
    const event = this.opts.state.events.get(eventId);
    if (!event) throw resourceMissing(eventId, "id");
    const attempt = await this.send(event, kind, 1, kind === "stale" ? nowUnix() - secondsAgo : undefined);
    // Broken signatures are meant to be rejected, so only a plain redelivery is worth retrying.
    if (kind === "redelivery" && !attempt.ok) this.retryLater({ event, kind, attempt: 1 });
    return attempt;
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.held.length = 0;
    for (const req of this.inflight) req.destroy(new Error("stripe sandbox stopped"));
  }

  private admit(job: Job): void {
    if (this.stopped) return;
    this.outstanding.set(job.event.id, job);
    if (this.paused || !this.opts.url()) {
      this.held.push(job);
      return;
    }
    this.queue.push(job);
    // Never inside the API response: the pump starts on a later tick.
    if (!this.pumping) this.opts.scheduler.after(0, () => this.pump());
  }

  // One delivery at a time keeps arrival order equal to queue order, which the reverse-order hook relies on.
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.shift(); job && !this.stopped; job = this.queue.shift()) {
        if (this.paused || !this.opts.url()) {
          this.held.push(job, ...this.queue.splice(0));
          break;
        }
        const attempt = await this.send(job.event, job.kind, job.attempt);
        if (!attempt.ok) this.retryLater(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private retryLater(job: Job): void {
    const { maxAttempts, initialDelayMs, maxDelayMs } = this.opts.policy;
    if (this.stopped) return;
    const next = { ...job, attempt: job.attempt + 1 };
    if (job.attempt >= maxAttempts) {
      this.outstanding.delete(job.event.id);
      this.opts.changed();
      return;
    }
    // Owed from now on, so a restart during the backoff still sends it.
    this.outstanding.set(job.event.id, next);
    const delay = Math.min(initialDelayMs * 2 ** (job.attempt - 1), maxDelayMs);
    this.opts.scheduler.after(delay, () => this.admit(next));
  }

  // A webhook fault stands in for Stripe failing to reach the product: nothing is sent.
  private async post(url: string, body: string, signature: string): Promise<PostResult> {
    const { latencyMs, fault } = this.opts.faults.take(WEBHOOK_ENDPOINT, "");
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs).unref());
    if (fault?.kind === "drop") return { status: null, error: `not delivered (sandbox fault ${fault.id})`, responseBody: "" };
    return postWebhook(url, body, signature, this.opts.policy.timeoutMs, this.inflight);
  }

  private async send(event: StripeEvent, kind: DeliveryKind, attempt: number, timestamp?: number): Promise<DeliveryAttempt> {
    this.busy += 1;
    try {
      const url = this.opts.url();
      const signatureTimestamp = timestamp ?? nowUnix();
      const payload = serialiseEvent(event);
      const signature = signPayload(payload, this.opts.secret, signatureTimestamp);
      const body = kind === "tampered" ? tamperPayload(payload) : payload;
      const at = new Date().toISOString();
      const result = url ? await this.post(url, body, signature) : { status: null, error: "no webhook URL configured", responseBody: "" };
      const ok = result.status !== null && result.status >= 200 && result.status < 300;
      const record: DeliveryAttempt = { eventId: event.id, type: event.type, kind, attempt, url, at, signatureTimestamp, ok, ...result };
      const list = this.attempts.get(event.id) ?? [];
      list.push(record);
      this.attempts.set(event.id, list);
      if (ok && (kind === "initial" || kind === "redelivery")) {
        event.pending_webhooks = 0;
        this.outstanding.delete(event.id);
      }
      this.opts.log(`stripe-sandbox webhook ${event.type} ${event.id} ${kind}#${attempt} -> ${result.status ?? result.error}`);
      return record;
    } finally {
      this.busy -= 1;
      this.opts.changed();
    }
  }
}
