// The local scheduler inside the local runtime: a job fires on its (test-shortened) schedule, its
// effect shows through the API and in job_runs, and runs of one job never overlap.
import { schedules } from "@evently/functions/schedules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRuntime, type LocalRuntime } from "@evently/local/runtime";
import { signLocalToken } from "@evently/local/tokens";
import { createTestDatabase, type TestDatabase } from "../support/db";

let database: TestDatabase;
let rt: LocalRuntime;
const lines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // Six fields: every two seconds, so the test need not wait for a five-minute boundary.
  rt = await startLocalRuntime({
    databaseUrl: database.url,
    port: 0,
    scheduler: { cron: { "payment-health": "*/2 * * * * *" } },
    log: (l) => lines.push(l),
  });
});
afterAll(async () => {
  await rt.stop();
  await database.destroy();
});

const get = async (path: string, role: "admin" | "member") =>
  fetch(`${rt.apiUrl}${path}`, { headers: { authorization: `Bearer ${await signLocalToken({ sub: `sched-${role}`, role })}` } });

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local scheduler", () => {
  it("announces every job of schedules.ts with the cron it runs on", () => {
    expect(lines).toContain(
      "Scheduler: expire-holds (* * * * *), provider-tasks (* * * * *), archive (30 3 * * *), complete-events (7 * * * *), send-reminders (*/15 * * * *), relay-mail (*/2 * * * *), payment-health (*/2 * * * * *)",
    );
    expect(rt.scheduler?.jobs.map((j) => j.name)).toEqual(schedules.map((j) => j.name));
  });

  it("runs payment-health on its schedule: the snapshot is served to admins and the run is recorded", async () => {
    const startedAt = Date.now();
    const body = await eventually(async () => {
      const res = await get("/ops/payment-health", "admin");
      return res.status === 200 ? ((await res.json()) as { takenAt: string; measures: Record<string, unknown> }) : undefined;
    });
    expect(Date.parse(body.takenAt)).toBeGreaterThan(startedAt - 10_000);
    expect(body.measures).toMatchObject({
      successRate24h: 100,
      failuresLastHour: 0,
      pendingOver30m: 0,
      seatCounterDrift: 0,
      driftingEventIds: [],
    });

    const runs = await rt.db.selectFrom("jobRuns").selectAll().where("job", "=", "payment-health").execute();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.some((r) => r.status === "succeeded" && r.durationMs !== null && r.counts.successRate24h === 100)).toBe(true);
    // Only the overridden job ran: the others keep their real schedules.
    const others = await rt.db.selectFrom("jobRuns").select("job").where("job", "<>", "payment-health").execute();
    expect(others.filter((r) => r.job === "archive")).toEqual([]);

    const member = await get("/ops/payment-health", "member");
    expect(member.status).toBe(403);
    expect(await member.json()).toMatchObject({ code: "forbidden" });
  });

  it("never overlaps two runs of one job: runNow queues behind the run in progress", async () => {
    const [a, b] = await Promise.all([rt.scheduler!.runNow("payment-health"), rt.scheduler!.runNow("payment-health")]);
    expect([a.status, b.status]).toEqual(["succeeded", "succeeded"]);
    const runs = await rt.db.selectFrom("jobRuns").selectAll().where("id", "in", [a.runId!, b.runId!]).orderBy("startedAt").execute();
    expect(runs).toHaveLength(2);
    expect(runs[1]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[0]!.finishedAt!.getTime());
    await expect(rt.scheduler!.runNow("no-such-job")).rejects.toThrow(/no-such-job/);
  });

  it("answers 404 not_found before any snapshot exists", async () => {
    await rt.scheduler!.stop(); // waits for a run in progress, so none lands after the delete
    await rt.db.deleteFrom("paymentHealthSnapshots").execute();
    const res = await get("/ops/payment-health", "admin");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found" });
  });
});
