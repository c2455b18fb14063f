// Watches every statement any `pg` client in this process sends (the product's Kysely pool included):
// for statement counts per call, EXPLAIN of exactly the SQL the product runs, and transaction spans.
import pg from "pg";

export interface TracedQuery {
  text: string;
  values: unknown[] | undefined;
  ms: number;
  /** A number per client connection, to pair BEGIN with its COMMIT. */
  connection: number;
  startedAt: number;
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const connectionIds = new WeakMap<pg.Client, number>();
let nextConnection = 1;

/** Starts tracing; the returned function stops it. Only one trace at a time. */
export function tracePg(onQuery: (q: TracedQuery) => void): () => void {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function traced(this: pg.Client, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === "string" ? config : ((config as { text?: string } | null)?.text ?? "");
    const vals = Array.isArray(values) ? values : (config as { values?: unknown[] } | null)?.values;
    let connection = connectionIds.get(this);
    if (connection === undefined) connectionIds.set(this, (connection = nextConnection++));
    const startedAt = performance.now();
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      const done = () => onQuery({ text, values: vals, ms: performance.now() - startedAt, connection: connection!, startedAt });
      (result as Promise<unknown>).then(done, done);
    }
    return result;
  };
  return () => {
    proto.query = original;
  };
}

/** Runs `fn` and returns the statements it sent. */
export async function captureQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: TracedQuery[] }> {
  const queries: TracedQuery[] = [];
  const stop = tracePg((q) => queries.push(q));
  try {
    return { result: await fn(), queries };
  } finally {
    stop();
  }
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|select\s+set_config)/i;

/** Statements worth an EXPLAIN (not transaction control or audit settings). */
export const explainable = (q: TracedQuery) => !CONTROL.test(q.text);

export interface Span {
  ms: number;
  /** An explicit BEGIN…COMMIT/ROLLBACK, or one statement in its own implicit transaction. */
  explicit: boolean;
  statements: string[];
}

/** Transaction spans from a trace: BEGIN…COMMIT/ROLLBACK per connection, and lone statements. */
export function transactionSpans(queries: readonly TracedQuery[]): Span[] {
  const open = new Map<number, { start: number; statements: string[] }>();
  const spans: Span[] = [];
  for (const q of [...queries].sort((a, b) => a.startedAt - b.startedAt)) {
    const current = open.get(q.connection);
    if (/^\s*begin/i.test(q.text)) open.set(q.connection, { start: q.startedAt, statements: [] });
    else if (/^\s*(commit|rollback)/i.test(q.text)) {
      if (current) spans.push({ ms: q.startedAt + q.ms - current.start, explicit: true, statements: current.statements });
      open.delete(q.connection);
    } else if (current) current.statements.push(q.text);
    else spans.push({ ms: q.ms, explicit: false, statements: [q.text] });
  }
  return spans;
}
