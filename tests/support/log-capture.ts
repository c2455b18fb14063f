// Captures (and swallows) what the process writes to stdout and stderr, where Powertools' logger
// prints, as lines.
export interface LogCapture {
  lines(): string[];
  restore(): void;
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = ((chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split("\n")
        .filter((line) => line.trim() !== ""),
    );
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = tap;
  process.stderr.write = tap;
  return {
    lines: () => [...lines],
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
