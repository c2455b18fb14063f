// Unit tests for infra/cron.ts: five-field cron → EventBridge, longest gap between runs, missed-run alarm windows.
import { describe, expect, it } from "vitest";
import { maxIntervalSeconds, missedRunWindow, parseCron, toEventBridgeCron } from "../../infra/cron";

describe("toEventBridgeCron", () => {
  it.each([
    ["* * * * *", "cron(* * * * ? *)"],
    ["*/5 * * * *", "cron(0/5 * * * ? *)"],
    ["0 3 * * *", "cron(0 3 * * ? *)"],
    ["15 2 1 * *", "cron(15 2 1 * ? *)"],
    ["30 9 * * 1-5", "cron(30 9 ? * MON,TUE,WED,THU,FRI *)"],
    ["0 0 * * 0", "cron(0 0 ? * SUN *)"],
    ["0 0 * * 7", "cron(0 0 ? * SUN *)"],
    ["0 0 * * sat,SUN", "cron(0 0 ? * SUN,SAT *)"],
    ["0,30 8-18 * * *", "cron(0,30 8-18 * * ? *)"],
    ["0,20,40 * * * *", "cron(0/20 * * * ? *)"],
    ["5,10,40 0 * * *", "cron(5,10,40 0 * * ? *)"],
    ["0 12 1,15 jan-mar *", "cron(0 12 1,15 1-3 ? *)"],
    ["10/20 * * * *", "cron(10/20 * * * ? *)"],
    ["0 */6 * * *", "cron(0 0/6 * * ? *)"],
  ])("%s → %s", (input, expected) => {
    expect(toEventBridgeCron(input)).toBe(expected);
  });

  it("puts ? in exactly one day field", () => {
    for (const cron of ["* * * * *", "0 0 1 * *", "0 0 * * 1"]) {
      const [, , dom, , dow] = toEventBridgeCron(cron).slice(5, -1).split(" ");
      expect([dom, dow].filter((f) => f === "?")).toHaveLength(1);
    }
  });

  it("rejects what EventBridge cannot express or what is not a cron", () => {
    expect(() => toEventBridgeCron("0 0 1 * 1")).toThrow(/both day-of-month and day-of-week/);
    expect(() => toEventBridgeCron("* * * *")).toThrow(/five cron fields/);
    expect(() => toEventBridgeCron("60 * * * *")).toThrow(/out of range/);
    expect(() => toEventBridgeCron("0 0 L * *")).toThrow(/Invalid/);
    expect(() => toEventBridgeCron("5-1 * * * *")).toThrow(/Descending/);
    expect(() => toEventBridgeCron("*/0 * * * *")).toThrow(/step/);
  });
});

describe("parseCron", () => {
  it("folds Sunday 7 into 0 and marks restricted day fields", () => {
    const c = parseCron("0 0 * * 5-7");
    expect(c.dayOfWeek).toEqual([0, 5, 6]);
    expect(c.dayOfWeekRestricted).toBe(true);
    expect(c.dayOfMonthRestricted).toBe(false);
  });
});

describe("maxIntervalSeconds", () => {
  it.each([
    ["* * * * *", 60],
    ["*/5 * * * *", 300],
    ["0 3 * * *", 86_400],
    ["0,50 * * * *", 50 * 60],
    ["30 9 * * 1-5", 3 * 86_400], // Friday 09:30 → Monday 09:30
    ["0 0 1 * *", 31 * 86_400],
  ])("%s → %i s", (cron, seconds) => {
    expect(maxIntervalSeconds(cron)).toBe(seconds);
  });

  it("is Infinity for a schedule that fires once in the horizon", () => {
    expect(maxIntervalSeconds("0 0 29 2 *")).toBeGreaterThan(365 * 86_400);
  });
});

describe("missedRunWindow", () => {
  it("gives frequent jobs three missed runs, but never less than ten minutes", () => {
    expect(missedRunWindow("* * * * *")).toEqual({ periodSeconds: 60, evaluationPeriods: 10 });
    expect(missedRunWindow("*/5 * * * *")).toEqual({ periodSeconds: 60, evaluationPeriods: 15 });
  });

  it("gives hourly-or-rarer jobs one hour of grace in hourly periods", () => {
    expect(missedRunWindow("0 * * * *")).toEqual({ periodSeconds: 3600, evaluationPeriods: 2 });
    expect(missedRunWindow("0 3 * * *")).toEqual({ periodSeconds: 3600, evaluationPeriods: 25 });
  });

  it("stays inside CloudWatch's limits (1 day below hourly periods, 7 days otherwise)", () => {
    for (const cron of ["* * * * *", "*/5 * * * *", "*/20 * * * *", "0 3 * * *", "30 9 * * 1-5"]) {
      const w = missedRunWindow(cron);
      const span = w.periodSeconds * w.evaluationPeriods;
      expect(span).toBeLessThanOrEqual(w.periodSeconds < 3600 ? 86_400 : 604_800);
      expect(span).toBeGreaterThan(Math.min(maxIntervalSeconds(cron), 86_400));
    }
    expect(() => missedRunWindow("0 0 1 * *")).toThrow(/less than weekly/);
  });
});
