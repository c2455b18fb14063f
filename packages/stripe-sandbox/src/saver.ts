// Saves the sandbox after each change and reads it back at start; the file format is persistence.ts's.
import { type DeliverySnapshot, type WebhookDelivery } from "./delivery";
import { type IdempotencyStore } from "./idempotency";
import { type Snapshot, StateFiles } from "./persistence";
import { type SandboxState } from "./state";

interface Parts {
  state: SandboxState;
  idempotency: IdempotencyStore;
  delivery: WebhookDelivery;
}

export class Saver {
  private readonly files: StateFiles;
  private lastOutstanding = "[]";
  private stopped = false;

  constructor(
    dir: string,
    private readonly parts: Parts,
  ) {
    this.files = new StateFiles(dir);
  }

  /** Loads what the last process saved, folds it into a fresh snapshot, and returns the deliveries it still owed. */
  restore(): DeliverySnapshot["outstanding"] {
    const saved = this.files.read();
    for (const step of saved) {
      this.parts.state.restore(step.state);
      this.parts.idempotency.restore(step.idempotency);
      this.parts.delivery.restoreLog(step.deliveries);
    }
    const owed = saved.at(-1)?.deliveries.outstanding ?? [];
    this.files.compact(this.collect(true));
    return owed;
  }

  save(): void {
    if (this.stopped) return;
    const change = this.collect(false);
    const outstanding = JSON.stringify(change.deliveries.outstanding);
    const empty =
      Object.values(change.state).every((entries) => entries.length === 0) &&
      change.idempotency.length === 0 &&
      change.deliveries.attempts.length === 0;
    // Reads and hooks that changed nothing leave the journal alone.
    if (empty && outstanding === this.lastOutstanding) return;
    this.lastOutstanding = outstanding;
    if (this.files.append(change)) this.files.compact(this.collect(true));
  }

  stop(): void {
    this.stopped = true;
  }

  private collect(all: boolean): Snapshot {
    const { state, idempotency, delivery } = this.parts;
    return { state: state.snapshot(all), idempotency: idempotency.snapshot(all), deliveries: delivery.snapshot(all) };
  }
}
