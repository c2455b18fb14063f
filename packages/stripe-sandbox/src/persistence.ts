// The sandbox's state on disk: a snapshot replaced atomically, plus a journal of the changes made since.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DeliverySnapshot } from "./delivery";
import { type IdempotencyEntry } from "./idempotency";
import { type StateSnapshot } from "./state";

/** Everything (in the snapshot) or what changed in one step (a journal line); read back in order, later entries win. */
export interface Snapshot {
  state: StateSnapshot;
  idempotency: Array<[string, IdempotencyEntry]>;
  deliveries: DeliverySnapshot;
}

const VERSION = 1;
// Folding the journal into the snapshot rewrites everything, so it happens at start and then rarely.
const COMPACT_EVERY = 1_000;

/**
 * Each change is one appended journal line, written before the sandbox answers, so its cost is the
 * size of the change, not of the whole state. A process killed mid-append leaves a partial last
 * line, which belongs to a change nobody was told about and is dropped on reading. The snapshot is
 * replaced by write-then-rename, so a crash leaves the old or the new one, never half of one;
 * after a crash between that rename and emptying the journal, replaying the old journal onto the
 * new snapshot ends in the same state. Not fsynced: the fault modelled is the runtime dying, not
 * the machine. One sandbox per directory.
 */
export class StateFiles {
  private readonly snapshotFile: string;
  private readonly journalFile: string;
  private appended = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.snapshotFile = path.join(dir, "state.json");
    this.journalFile = path.join(dir, "journal.jsonl");
  }

  /** The snapshot, then each complete journal line, oldest first; empty on a first start. */
  read(): Snapshot[] {
    const base = readIfExists(this.snapshotFile);
    const out: Snapshot[] = [];
    if (base !== undefined) {
      const parsed = JSON.parse(base) as Snapshot & { version: number };
      if (parsed.version !== VERSION) {
        throw new Error(
          `stripe sandbox: ${this.snapshotFile} has version ${parsed.version}, expected ${VERSION}; delete it to start afresh`,
        );
      }
      out.push(parsed);
    }
    const lines = (readIfExists(this.journalFile) ?? "").split("\n");
    // Everything after the last newline is an append that never finished.
    lines.pop();
    for (const line of lines) out.push(JSON.parse(line) as Snapshot);
    return out;
  }

  append(change: Snapshot): boolean {
    appendFileSync(this.journalFile, `${JSON.stringify(change)}\n`);
    this.appended += 1;
    return this.appended >= COMPACT_EVERY;
  }

  compact(everything: Snapshot): void {
    const temp = `${this.snapshotFile}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: VERSION, ...everything }));
    renameSync(temp, this.snapshotFile);
    writeFileSync(this.journalFile, "");
    this.appended = 0;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
