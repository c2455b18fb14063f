// What the numbers were measured on: CPU, cores, RAM, Node, OS, PostgreSQL and how busy the box was.
import os from "node:os";

export interface Machine {
  cpuModel: string;
  cores: number;
  ramBytes: number;
  node: string;
  os: string;
  postgres?: string;
  loadAverage: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    ramBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" / "),
  };
}

/** Resident set size of a process from /proc (Linux): current and peak (VmHWM), in bytes. */
export async function procMemory(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const { readFile } = await import("node:fs/promises");
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: field("VmRSS"), peak: field("VmHWM") };
  } catch {
    return undefined;
  }
}
