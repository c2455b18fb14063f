// A Map that knows which entries changed since they were last saved, including changes made in place on a stored object.
const watched = new WeakSet<object>();

/**
 * Stored values are wrapped in a Proxy that marks their key dirty on any property write or delete,
 * so `pi.status = "succeeded"` or `attempts.push(a)` is saved without the endpoint code having to
 * say so. Only the stored object itself is watched: code replaces nested objects (metadata,
 * last_payment_error) rather than editing them. Proxies cannot be structuredClone'd; copy stored
 * values with JSON (they are JSON by construction).
 */
export class TrackedMap<V extends object> extends Map<string, V> {
  private readonly dirty = new Set<string>();

  override set(key: string, value: V): this {
    this.dirty.add(key);
    return super.set(key, this.watch(key, value));
  }

  /** Stores a value and returns the watched copy, for callers that keep using it after this call. */
  put(key: string, value: V): V {
    this.set(key, value);
    return this.get(key) as V;
  }

  /** Entries to save: every entry, or only those changed since the last call; either way the map is then clean. */
  changes(all: boolean): Array<[string, V]> {
    const keys = all ? [...this.keys()] : [...this.dirty];
    this.dirty.clear();
    return keys.flatMap((key) => {
      const value = this.get(key);
      return value === undefined ? [] : [[key, value] as [string, V]];
    });
  }

  /** Entries read back from disk: stored and watched, but not dirty. Later entries replace earlier ones. */
  load(entries: Array<[string, V]>): void {
    for (const [key, value] of entries) super.set(key, this.watch(key, value));
  }

  private watch(key: string, value: V): V {
    if (watched.has(value)) return value;
    const proxy = new Proxy(value, {
      set: (target, property, next) => {
        this.dirty.add(key);
        return Reflect.set(target, property, next);
      },
      deleteProperty: (target, property) => {
        this.dirty.add(key);
        return Reflect.deleteProperty(target, property);
      },
    });
    watched.add(proxy);
    return proxy;
  }
}

/** A detached copy of a stored value (see TrackedMap: proxies are not structured-cloneable). */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
