// How messages print times and money: always in the event's own timezone, money from minor units.

/** "Saturday, June 1, 2030, 18:00 GMT+2": the wall-clock time where the event happens. */
export function eventTime(iso: string, timeZone: string): string {
  const format = (tz: string) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      weekday: "long",
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    }).format(new Date(iso));
  try {
    return format(timeZone);
  } catch {
    // A zone this runtime's ICU does not know: UTC, labelled as such, beats not sending at all.
    return format("UTC");
  }
}

/** 2500 USD → "$25.00"; every supported currency has two decimals. */
export const money = (amountMinor: number, currency: string): string =>
  new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amountMinor / 100);
