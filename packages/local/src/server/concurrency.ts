// How many invocations run at once, like Lambda's concurrent executions: in AWS each invocation
// has its own container and database connection, so a burst does not make every request share one
// process's pool and time out together. Requests beyond the limit wait for a free slot, and their
// function's clock starts only when they get one, as a Lambda's starts when it is invoked.

export interface InvocationGate {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createInvocationGate(limit: number): InvocationGate {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return {
    async run(fn) {
      if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      running += 1;
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
