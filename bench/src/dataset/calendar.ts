import {
  dueAt as hubDueAt,
  isWorkingDay,
  workingDaysBetween as hubWorkingDaysBetween,
  type CalendarRegion,
} from '@hub/escalations';

/**
 * Europe/London dates of instants, for references (the year), the statistics' month and due
 * dates of outstanding issues. Intl is slow per call, so the offset is looked up once per UTC
 * hour (clocks change on the hour) and kept.
 */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

const offsets = new Map<number, number>();

/** Milliseconds Europe/London is ahead of UTC at `ms` (0 in GMT, one hour in BST). */
export function londonOffset(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const fields: Record<string, number> = {};
    for (const part of londonClock.formatToParts(hour * HOUR_MS)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    offset = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!) - hour * HOUR_MS;
    offsets.set(hour, offset);
  }
  return offset;
}

/** The Europe/London calendar date of `ms`, as YYYY-MM-DD. */
export function londonDate(ms: number): string {
  return new Date(ms + londonOffset(ms)).toISOString().slice(0, 10);
}

/** The Europe/London month of `ms`, as YYYY-MM (the statistics' `raised_month`). */
export function londonMonth(ms: number): string {
  return londonDate(ms).slice(0, 7);
}

/** The Europe/London year of `ms` (a reference's year). */
export function londonYear(ms: number): number {
  return Number(londonDate(ms).slice(0, 4));
}

/** The UTC instant of `hours` past local midnight on the Europe/London date `day` (days since 1970-01-01). */
export function londonTime(day: number, hours: number): number {
  const naive = day * DAY_MS + hours * HOUR_MS;
  return naive - londonOffset(naive - londonOffset(naive));
}

/** Days since 1970-01-01 of a UTC instant's date. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** 0 for Sunday to 6 for Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Days since 1970-01-01 of the Europe/London calendar date of `ms`. */
export function londonDay(ms: number): number {
  return dayOf(ms + londonOffset(ms));
}

const dues = new Map<string, number>();

/**
 * The escalations subgraph's `dueAt`, in epoch milliseconds. Its answer depends only on the
 * Europe/London date of `enteredAt`, so each (region, date, working days) is asked once: the
 * generator asks millions of times and the calendar reads Intl on each call.
 */
export function dueAt(region: CalendarRegion, enteredAt: number, workingDays: number): number {
  const key = `${region}:${londonDay(enteredAt)}:${workingDays}`;
  let due = dues.get(key);
  if (due === undefined) {
    due = hubDueAt(region, new Date(enteredAt), workingDays).getTime();
    dues.set(key, due);
  }
  return due;
}

/** Per region, the number of working days from a base day up to each day (a prefix sum). */
const counted = new Map<CalendarRegion, { base: number; upTo: Int32Array }>();

/**
 * The escalations subgraph's `workingDaysBetween` (working days after the London date of
 * `from` up to and including that of `to`), from a prefix sum of its own `isWorkingDay`, so
 * that each call is two lookups instead of a walk over the days. Falls back to the subgraph's
 * function outside the years it has counted.
 */
export function workingDaysBetween(region: CalendarRegion, from: number, to: number): number {
  const fromDay = londonDay(from);
  const toDay = londonDay(to);
  let table = counted.get(region);
  if (!table || fromDay < table.base || toDay >= table.base + table.upTo.length) {
    const base = Math.min(fromDay, toDay) - 400;
    const days = Math.max(Math.abs(toDay - fromDay) + 800, 4000);
    const upTo = new Int32Array(days);
    let total = 0;
    for (let i = 0; i < days; i += 1) {
      if (isWorkingDay(region, new Date((base + i) * DAY_MS).toISOString().slice(0, 10)))
        total += 1;
      upTo[i] = total;
    }
    table = { base, upTo };
    counted.set(region, table);
  }
  if (fromDay < table.base || toDay >= table.base + table.upTo.length)
    return hubWorkingDaysBetween(region, new Date(from), new Date(to));
  return table.upTo[toDay - table.base]! - table.upTo[fromDay - table.base]!;
}
