// The sandbox's state on disk: one JSON snapshot, replaced atomically after every change and read back at start.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DeliverySnapshot } from "./delivery";
import { type IdempotencyEntry } from "./idempotency";
import { type StateSnapshot } from "./state";

export interface Snapshot {
  version: typeof VERSION;
  state: StateSnapshot;
  idempotency: Array<[string, IdempotencyEntry]>;
  deliveries: DeliverySnapshot;
}

const VERSION = 1;
const FILE = "state.json";

/**
 * Write-then-rename: a reader (the next start) sees either the previous snapshot or the new one,
 * never half of one, whenever the process dies. Not fsynced: the fault modelled is the runtime
 * crashing, not the machine losing power. One sandbox per directory.
 */
export class SnapshotFile {
  private readonly file: string;
  private readonly temp: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, FILE);
    this.temp = path.join(dir, `${FILE}.tmp`);
  }

  read(): Snapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const snapshot = JSON.parse(text) as Snapshot;
    if (snapshot.version !== VERSION) {
      throw new Error(`stripe sandbox: ${this.file} has version ${String(snapshot.version)}, expected ${VERSION}; delete it to start afresh`);
    }
    return snapshot;
  }

  write(snapshot: Omit<Snapshot, "version">): void {
    writeFileSync(this.temp, JSON.stringify({ version: VERSION, ...snapshot }));
    renameSync(this.temp, this.file);
  }
}
