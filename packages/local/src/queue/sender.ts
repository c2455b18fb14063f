// Sends to the local queue, coalescing concurrent sends into one multi-row insert: under a burst of
// webhooks each insert carries everything that arrived while the previous one ran, and a lone
// send still goes out at once. A send resolves only once its row is committed.
import type PgBoss from "pg-boss";
import type { MessageData } from "./sqs-records";

const MAX_ROWS = 500;

interface Pending {
  job: PgBoss.JobInsert<MessageData>;
  resolve(): void;
  reject(error: unknown): void;
}

export function createSender(boss: PgBoss, name: string, onInserted: () => void) {
  const pending: Pending[] = [];
  let flushing = false;

  async function flush() {
    flushing = true;
    while (pending.length > 0) {
      const group = pending.splice(0, MAX_ROWS);
      try {
        // Fresh random ids and a standard-policy queue: no row can be skipped as a conflict.
        await boss.insert(group.map((p) => p.job));
        for (const p of group) p.resolve();
        onInserted();
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    flushing = false;
  }

  return (data: MessageData) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ job: { id: data.id, name, data }, resolve, reject });
      if (!flushing) void flush();
    });
}
