// Pure helpers over the manifests' five-field UTC cron: EventBridge syntax and the longest gap between runs.

/** Minute, hour, day of month, month, day of week, as sets of allowed values. */
export interface ParsedCron {
  minute: readonly number[];
  hour: readonly number[];
  dayOfMonth: readonly number[];
  month: readonly number[];
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  dayOfWeek: readonly number[];
  /** Whether the field narrows the schedule; standard cron ORs day-of-month and day-of-week when both do. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const SPECS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 7, names: DAYS },
];

function parseValue(token: string, spec: FieldSpec, cron: string): number {
  const byName = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  // Month names are 1-based in cron, day names 0-based.
  if (byName >= 0) return spec.name === "month" ? byName + 1 : byName;
  if (!/^\d+$/.test(token)) throw new Error(`Invalid ${spec.name} "${token}" in cron "${cron}"`);
  const n = Number(token);
  if (n < spec.min || n > spec.max) throw new Error(`${spec.name} ${n} out of range in cron "${cron}"`);
  return n;
}

function parseField(field: string, spec: FieldSpec, cron: string): number[] {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined || range === "") throw new Error(`Invalid ${spec.name} "${part}" in cron "${cron}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Invalid step "${stepText}" in cron "${cron}"`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [spec.min, spec.name === "day-of-week" ? 6 : spec.max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [parseValue(a, spec, cron), parseValue(b, spec, cron)];
      if (from > to) throw new Error(`Descending range "${range}" in cron "${cron}"`);
    } else {
      from = parseValue(range, spec, cron);
      // `5/15` means "from 5 to the end, every 15", as in croner and Quartz.
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(spec.name === "day-of-week" ? v % 7 : v);
  }
  return [...values].sort((a, b) => a - b);
}

export function parseCron(cron: string): ParsedCron {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`Expected five cron fields, got "${cron}"`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f, i) => parseField(f, SPECS[i] as FieldSpec, cron));
  const dom = dayOfMonth as number[];
  const dow = dayOfWeek as number[];
  return {
    minute: minute as number[],
    hour: hour as number[],
    dayOfMonth: dom,
    month: month as number[],
    dayOfWeek: dow,
    dayOfMonthRestricted: dom.length < 31,
    dayOfWeekRestricted: dow.length < 7,
  };
}

/** `1,2,3,7` → `1-3,7`; a full progression to the field's end → `start/step`. */
function formatNumbers(values: readonly number[], max: number): string {
  const [first, second] = values;
  if (first !== undefined && second !== undefined && values.length >= 3) {
    const step = second - first;
    const isProgression = values.every((v, i) => v === first + i * step);
    const last = values[values.length - 1] as number;
    if (step > 1 && isProgression && last + step > max) return `${first}/${step}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] as number) === (values[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

/** EventBridge numbers days 1 (SUN) … 7 (SAT); names avoid that off-by-one entirely. */
function formatDays(values: readonly number[]): string {
  return values.map((d) => DAYS[d]).join(",");
}

/**
 * Converts a five-field cron to an EventBridge expression. EventBridge needs a sixth (year) field
 * and `?` in exactly one of day-of-month / day-of-week; it cannot express standard cron's "either
 * day field matches", so a cron restricting both is rejected rather than silently changed.
 */
export function toEventBridgeCron(cron: string): `cron(${string})` {
  const c = parseCron(cron);
  if (c.dayOfMonthRestricted && c.dayOfWeekRestricted) {
    throw new Error(`Cron "${cron}" restricts both day-of-month and day-of-week; EventBridge cannot express that`);
  }
  const minute = c.minute.length === 60 ? "*" : formatNumbers(c.minute, 59);
  const hour = c.hour.length === 24 ? "*" : formatNumbers(c.hour, 23);
  const month = c.month.length === 12 ? "*" : formatNumbers(c.month, 12);
  const dom = c.dayOfWeekRestricted ? "?" : c.dayOfMonthRestricted ? formatNumbers(c.dayOfMonth, 31) : "*";
  const dow = c.dayOfWeekRestricted ? formatDays(c.dayOfWeek) : "?";
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
}

const DAY_MS = 86_400_000;
/** Four years from a leap year, so yearly and Feb-29 schedules show their real gaps. */
const HORIZON_DAYS = 4 * 366;
const EPOCH = Date.UTC(2024, 0, 1);

/** The longest time between two consecutive runs, in seconds (Infinity if it runs at most once). */
export function maxIntervalSeconds(cron: string): number {
  const c = parseCron(cron);
  const minutes = new Set(c.minute);
  const months = new Set(c.month);
  const doms = new Set(c.dayOfMonth);
  const dows = new Set(c.dayOfWeek);
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < HORIZON_DAYS; day++) {
    const date = new Date(EPOCH + day * DAY_MS);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const domOk = doms.has(date.getUTCDate());
    const dowOk = dows.has(date.getUTCDay());
    const both = c.dayOfMonthRestricted && c.dayOfWeekRestricted;
    if (both ? !(domOk || dowOk) : !(domOk && dowOk)) continue;
    for (const hour of c.hour) {
      for (const minute of minutes) {
        const at = date.getTime() + (hour * 60 + minute) * 60_000;
        if (previous !== undefined) longest = Math.max(longest, at - previous);
        previous = at;
      }
    }
  }
  return longest === 0 ? Infinity : longest / 1000;
}

export interface MissedRunWindow {
  periodSeconds: number;
  /** Every one of these periods must lack a success before the alarm fires. */
  evaluationPeriods: number;
}

/**
 * How a "job did not run" alarm should look for a schedule: frequent jobs may miss three runs
 * (at least ten minutes, because EMF metrics land a minute or two late and missing data counts
 * as breaching); sparse jobs get an hour of grace. CloudWatch caps the window at one day for
 * sub-hour periods and seven days otherwise, so rarer schedules are rejected.
 */
export function missedRunWindow(cron: string): MissedRunWindow {
  const interval = maxIntervalSeconds(cron);
  const window = interval < 3600 ? Math.max(3 * interval, 600) : interval + 3600;
  if (window <= 3600) return { periodSeconds: 60, evaluationPeriods: Math.ceil(window / 60) };
  const evaluationPeriods = Math.ceil(window / 3600);
  if (evaluationPeriods * 3600 > (7 * DAY_MS) / 1000) {
    throw new Error(`Cron "${cron}" runs less than weekly; a missed-run alarm cannot span that long`);
  }
  return { periodSeconds: 3600, evaluationPeriods };
}
