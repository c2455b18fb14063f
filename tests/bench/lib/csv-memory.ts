// The participant CSV export in constant memory: the product's participantsCsv streams events of
// 10 k and 100 k participants while the heap and RSS are sampled; the bytes are checked too.
import v8 from "node:v8";
import vm from "node:vm";
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import { CSV_HEADER, participantsCsv } from "@evently/core/attendees";
import { createDb } from "@evently/core/db/client";
import type { StageContext } from "./context";
import { createEvent, createOrganizer } from "./fixtures";
import { csvAdvice } from "./prose";
import { int, mb } from "./stats";

const SIZES = [10_000, 100_000];
// A full collection on demand, so what the export keeps alive is told apart from garbage not yet collected.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
/** Every this many chunks (batches of 1,000 rows) the retained heap is measured after a full collection. */
const GC_EVERY = 5;
/** Retained growth allowed from 10 k to 100 k: a few batches in flight, not the rows. */
const SLACK_BYTES = 16 * 1024 * 1024;

interface Export {
  participants: number;
  lines: number;
  bytes: number;
  headerOk: boolean;
  seconds: number;
  peakHeapGrowth: number;
  peakRssGrowth: number;
  /** The most heap still reachable after a full collection during the export, above the start. */
  retainedGrowth: number;
}

async function stream(chunks: AsyncIterable<string>): Promise<Omit<Export, "participants">> {
  gc();
  const base = process.memoryUsage();
  let retained = base.heapUsed;
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  let first: string | undefined;
  let chunkCount = 0;
  try {
    for await (const chunk of chunks) {
      first ??= chunk;
      if (++chunkCount % GC_EVERY === 0) {
        sample();
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed);
      }
      bytes += Buffer.byteLength(chunk);
      for (let at = chunk.indexOf("\r\n"); at !== -1; at = chunk.indexOf("\r\n", at + 2)) lines++;
      sample();
    }
  } finally {
    clearInterval(timer);
  }
  return {
    lines,
    bytes,
    headerOk: first === `${CSV_HEADER.join(",")}\r\n`,
    seconds: (performance.now() - started) / 1000,
    peakHeapGrowth: peakHeap - base.heapUsed,
    peakRssGrowth: peakRss - base.rss,
    retainedGrowth: retained - base.heapUsed,
  };
}

export async function measureCsvExport(ctx: StageContext, url: string): Promise<void> {
  const setup = new pg.Pool({ connectionString: url, max: 2 });
  setup.on("error", () => undefined);
  const db = createDb({ connectionString: url, max: 1 });
  const exports: Export[] = [];
  try {
    const organizer = await createOrganizer(setup);
    const actor: Actor = {
      sub: organizer.sub,
      email: `${organizer.sub}@example.test`,
      roles: ["member", "organizer"],
      userId: organizer.id,
    };
    for (const n of SIZES) {
      const ev = await createEvent(setup, organizer.id, { kind: "rsvp", capacity: 1_000_000 });
      ctx.log(`CSV: seeding ${int(n)} participants`);
      await setup.query(
        `WITH u AS (
           INSERT INTO users (external_id, email, display_name)
           SELECT 'csv-' || $2::int || '-' || g, 'csv-' || $2::int || '-' || g || '@example.test', 'Guest, "number" ' || g
           FROM generate_series(1, $2::int) g RETURNING id)
         INSERT INTO participations (event_id, user_id, kind, status, quantity) SELECT $1, id, 'rsvp', 'active', 1 FROM u`,
        [ev.eventId, n],
      );
      await setup.query(`UPDATE events SET seats_taken = $2 WHERE id = $1`, [ev.eventId, n]);
      await setup.query("ANALYZE");
      exports.push({ participants: n, ...(await stream(await participantsCsv(db, actor, { eventId: ev.eventId }))) });
    }
  } finally {
    await db.destroy();
    await setup.end();
  }
  ctx.data.csv = exports;
  ctx.table({
    title: "CSV export of an event's participants (participantsCsv, batches of 1,000), memory sampled every 5 ms in this process",
    columns: ["participants", "lines", "bytes", "header", "seconds", "retained heap growth", "peak heap growth", "peak RSS growth"],
    rows: exports.map((e) => [
      int(e.participants),
      int(e.lines),
      int(e.bytes),
      e.headerOk ? "ok" : "WRONG",
      e.seconds.toFixed(1),
      mb(e.retainedGrowth),
      mb(e.peakHeapGrowth),
      mb(e.peakRssGrowth),
    ]),
  });
  const [small, big] = exports as [Export, Export];
  ctx.check({
    name: "curve: CSV export has the header and one line per participant",
    measured: exports.map((e) => `${int(e.lines - 1)} rows of ${int(e.participants)}, header ${e.headerOk ? "ok" : "wrong"}`).join("; "),
    target: "exact",
    pass: exports.every((e) => e.headerOk && e.lines === e.participants + 1),
  });
  ctx.check({
    name: "curve: CSV export of 100 k in constant memory",
    measured: `retained heap growth ${mb(big.retainedGrowth)} at 100 k vs ${mb(small.retainedGrowth)} at 10 k (peak heap ${mb(big.peakHeapGrowth)} vs ${mb(small.peakHeapGrowth)}, RSS ${mb(big.peakRssGrowth)} vs ${mb(small.peakRssGrowth)})`,
    target: `100 k ≤ 10 k + ${mb(SLACK_BYTES)}`,
    pass: big.retainedGrowth <= small.retainedGrowth + SLACK_BYTES,
    ...(big.retainedGrowth > small.retainedGrowth + SLACK_BYTES ? { advice: csvAdvice() } : {}),
  });
}
