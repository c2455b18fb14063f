// Stripe's Idempotency-Key semantics: the first result for a key is replayed; reusing it for other params is an error.
import { idempotencyError } from "./errors";
import { type Params } from "./form";
import { TrackedMap } from "./tracked-map";

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyEntry extends StoredResponse {
  endpoint: string;
  fingerprint: string;
  createdAt: number;
}

// Stripe forgets keys after 24 hours; a long-running local sandbox does the same.
const TTL_MS = 24 * 60 * 60 * 1000;

// Key order must not matter: the same params sent in another order are the same request.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

export class IdempotencyStore {
  private readonly entries = new TrackedMap<IdempotencyEntry>();

  // Returns the stored response to replay, undefined for a new key, or throws when the key is misused.
  lookup(apiKey: string, key: string, endpoint: string, params: Params): StoredResponse | undefined {
    const entry = this.entries.get(`${apiKey}\n${key}`);
    if (!entry) return undefined;
    if (Date.now() - entry.createdAt > TTL_MS) {
      this.entries.delete(`${apiKey}\n${key}`);
      return undefined;
    }
    if (entry.endpoint !== endpoint) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${endpoint}' vs '${entry.endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (entry.fingerprint !== JSON.stringify(canonical(params))) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return { status: entry.status, body: entry.body };
  }

  // Expired keys are not removed from the file; they expire again when next looked up.
  snapshot(all: boolean): Array<[scopedKey: string, entry: IdempotencyEntry]> {
    return this.entries.changes(all);
  }

  restore(entries: Array<[string, IdempotencyEntry]>): void {
    this.entries.load(entries);
  }

  save(apiKey: string, key: string, endpoint: string, params: Params, response: StoredResponse): void {
    this.entries.set(`${apiKey}\n${key}`, {
      ...response,
      endpoint,
      fingerprint: JSON.stringify(canonical(params)),
      createdAt: Date.now(),
    });
  }
}
