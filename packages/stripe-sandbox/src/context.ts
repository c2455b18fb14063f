// What the endpoint modules share: the store, event emission and timers that stop() can cancel.
import { type EventType, type StripeEvent, type StripeObject } from "./objects";
import { type SandboxState } from "./state";

export interface RequestInfo {
  requestId: string | null;
  idempotencyKey: string | null;
}

export interface SandboxContext {
  state: SandboxState;
  scheduler: Scheduler;
  // Records the event for the object's current state and queues its webhook delivery.
  emit(type: EventType, object: StripeObject, request: RequestInfo | null, previous?: Record<string, unknown>): StripeEvent;
  // Milliseconds until a pending refund succeeds on its own, or null while refunds are held pending.
  refundDelayMs(): number | null;
  refundTimers: Map<string, () => void>;
  log(line: string): void;
}

// Every timer is unref'd and tracked so the sandbox never keeps the process alive and stop() can clear it.
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly onError: (error: unknown) => void,
    // Timers change state (refunds settle, retries queue), so the owner saves after each one.
    private readonly afterEach: () => void = () => undefined,
  ) {}

  after(ms: number, fn: () => void | Promise<void>): () => void {
    if (this.stopped) return () => {};
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve()
        .then(fn)
        .then(() => this.stopped || this.afterEach())
        .catch((error: unknown) => this.onError(error));
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  get pending(): number {
    return this.timers.size;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
