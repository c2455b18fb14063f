// When idle pollers look for work again. While the queue is empty one poller polls on the interval
// and the others park until something wakes them: a local send (every poller), or a full batch (one
// more poller, so a backlog fans out to every concurrent batch). An idle queue costs one fetch per
// interval, not one per poller, whatever its concurrency.
export function createWakeups() {
  // Bumped by every local send: a poller whose fetch raced a send looks again instead of parking.
  let sends = 0;
  let watched = false;
  const parked = new Set<() => void>();

  const park = (ms?: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        parked.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      parked.add(done);
    });

  return {
    sends: () => sends,
    /** The last fetch found nothing: the first idle poller polls again after `ms`, the others wait to be woken. */
    async idle(ms: number): Promise<void> {
      if (watched) return park();
      watched = true;
      try {
        await park(ms);
      } finally {
        watched = false;
      }
    },
    /** Waits `ms` (or less, if woken). */
    sleep: (ms: number) => park(ms),
    wakeAll(): void {
      sends++;
      for (const done of [...parked]) done();
    },
    wakeOne(): void {
      const [first] = parked;
      first?.();
    },
  };
}
