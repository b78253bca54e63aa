import Holidays from 'date-holidays';

/**
 * A board's bank-holiday region: the four UK nations date-holidays knows as country `GB` with state
 * `ENG`, `WLS`, `SCT` or `NIR`. All four keep Europe/London time.
 */
export type CalendarRegion = 'GB-ENG' | 'GB-WLS' | 'GB-SCT' | 'GB-NIR';

/** Every {@link CalendarRegion}, for enums and validation. */
export const CALENDAR_REGIONS: readonly CalendarRegion[] = ['GB-ENG', 'GB-WLS', 'GB-SCT', 'GB-NIR'];

/** The largest number of working days a stage may be given; {@link dueAt} refuses more. */
export const MAX_WORKING_DAYS = 60;

/** Whether `x` is a {@link CalendarRegion} (exact spelling, upper case). */
export function isCalendarRegion(x: unknown): x is CalendarRegion {
  return typeof x === 'string' && (CALENDAR_REGIONS as readonly string[]).includes(x);
}

const TIME_ZONE = 'Europe/London';
const DUE_HOUR = 17;
const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Building an Intl.DateTimeFormat is costly, so one instance serves every call.
const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function londonFields(instant: number): LocalFields {
  const fields: Record<string, number> = {};
  for (const part of londonClock.formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return fields as unknown as LocalFields;
}

/** Milliseconds Europe/London is ahead of UTC at `instant` (0 in GMT, 3 600 000 in BST). */
function londonOffset(instant: number): number {
  // The formatter drops milliseconds, so compare whole seconds on both sides.
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  const f = londonFields(whole);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - whole;
}

/** Days since 1970-01-01 of a calendar date: plain date arithmetic with no time zone in it. */
type DayNumber = number;

function dayNumberOf(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function localDayOf(instant: Date, name: string): DayNumber {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError(`${name} is not a valid date`);
  const f = londonFields(time);
  return dayNumberOf(f.year, f.month, f.day);
}

function parseLocalDate(localDate: string): DayNumber {
  const match = LOCAL_DATE.exec(localDate);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const dayNumber = dayNumberOf(year, month, day);
    // Date.UTC rolls 2027-02-30 over to 2 March; a round trip catches such dates.
    if (isoDateOf(dayNumber) === localDate) return dayNumber;
  }
  throw new RangeError(`localDate must be a calendar date as YYYY-MM-DD, got ${localDate}`);
}

function isoDateOf(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC instant of `hour`:00 Europe/London on `day`. */
function londonInstant(day: DayNumber, hour: number): number {
  const asIfUtc = day * DAY_MS + hour * 3_600_000;
  // The offset at the naive guess can differ from the offset at the answer only when a clock change
  // falls between them; a second look settles it without any hand-coded change dates.
  const guess = asIfUtc - londonOffset(asIfUtc);
  const offset = londonOffset(guess);
  return asIfUtc - offset;
}

const STATES: Record<CalendarRegion, string> = {
  'GB-ENG': 'ENG',
  'GB-WLS': 'WLS',
  'GB-SCT': 'SCT',
  'GB-NIR': 'NIR',
};

// date-holidays parses its rules for every instance and evaluates them for every year asked, so
// both the instances and the per-year results are kept. Holiday data does not change while the
// process runs, so the cache cannot change any answer.
const calendars = new Map<CalendarRegion, Holidays>();
const bankHolidays = new Map<string, ReadonlySet<string>>();

function bankHolidaysIn(region: CalendarRegion, year: number): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let dates = bankHolidays.get(key);
  if (!dates) {
    let calendar = calendars.get(region);
    if (!calendar) {
      calendar = new Holidays('GB', STATES[region]);
      calendars.set(region, calendar);
    }
    // Bank holidays are type 'public' in date-holidays' GB data, substitute days included (they
    // carry `substitute: true`); observances such as Mother's Day are not days off.
    // `date` is the local calendar date ("YYYY-MM-DD 00:00:00"), so no time zone enters here.
    dates = new Set(
      calendar
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    bankHolidays.set(key, dates);
  }
  return dates;
}

function isWorkingDayNumber(region: CalendarRegion, day: DayNumber): boolean {
  // 1970-01-01 was a Thursday: day 0 has weekday 4 (Sunday = 0).
  const weekday = (((day + 4) % 7) + 7) % 7;
  if (weekday === 0 || weekday === 6) return false;
  const iso = isoDateOf(day);
  return !bankHolidaysIn(region, Number(iso.slice(0, 4))).has(iso);
}

function assertRegion(region: CalendarRegion): void {
  if (!isCalendarRegion(region)) throw new RangeError(`unknown calendar region ${String(region)}`);
}

/**
 * Whether `localDate` is a working day in `region`: a Monday to Friday that is not a bank holiday
 * there (substitute days included).
 *
 * @param localDate a calendar date as `YYYY-MM-DD`
 * @throws {RangeError} for an unknown region or a `localDate` that is not a real calendar date
 */
export function isWorkingDay(region: CalendarRegion, localDate: string): boolean {
  assertRegion(region);
  return isWorkingDayNumber(region, parseLocalDate(localDate));
}

/**
 * When a stage entered at `enteredAt` and given `workingDays` working days is due: 17:00
 * Europe/London on the Nth working day after the day it was entered.
 *
 * "The day it was entered" is the Europe/London calendar date of `enteredAt`, whatever the time:
 * day 1 is the first working day strictly after that date. So the time of entry matters only
 * through the date it falls on:
 * - entered on Saturday or Sunday, day 1 is the following Monday if that is a working day;
 * - entered on Friday at 18:00 (after the 17:00 deadline hour) it is still Friday, and day 1 is
 *   Monday, exactly as for an entry on Friday at 09:00;
 * - entered at 00:30 BST it is already the new local date although UTC still shows the day before.
 *
 * The result is 16:00Z while British Summer Time is in force and 17:00Z otherwise.
 *
 * @param region the board's bank-holiday region
 * @param enteredAt the instant the stage was entered
 * @param workingDays an integer from 1 to {@link MAX_WORKING_DAYS}
 * @returns the due instant
 * @throws {RangeError} for an unknown region, an invalid `enteredAt` or `workingDays` out of range
 */
export function dueAt(region: CalendarRegion, enteredAt: Date, workingDays: number): Date {
  assertRegion(region);
  if (!Number.isInteger(workingDays) || workingDays < 1 || workingDays > MAX_WORKING_DAYS) {
    throw new RangeError(
      `workingDays must be an integer from 1 to ${MAX_WORKING_DAYS}, got ${workingDays}`,
    );
  }
  let day = localDayOf(enteredAt, 'enteredAt');
  let counted = 0;
  while (counted < workingDays) {
    day += 1;
    if (isWorkingDayNumber(region, day)) counted += 1;
  }
  return new Date(londonInstant(day, DUE_HOUR));
}

/**
 * The number of working days in `region` after the Europe/London date of `from` up to and
 * including the Europe/London date of `to`: 0 on the same date, 1 from a Monday to the Tuesday.
 * It is the inverse of {@link dueAt}: `workingDaysBetween(r, t, dueAt(r, t, n)) === n`.
 *
 * If `to` falls on an earlier date than `from` the count is negative, so that
 * `workingDaysBetween(r, a, b) === -workingDaysBetween(r, b, a)`.
 *
 * @throws {RangeError} for an unknown region or an invalid date
 */
export function workingDaysBetween(region: CalendarRegion, from: Date, to: Date): number {
  assertRegion(region);
  const fromDay = localDayOf(from, 'from');
  const toDay = localDayOf(to, 'to');
  const [first, last, sign] = fromDay <= toDay ? [fromDay, toDay, 1] : [toDay, fromDay, -1];
  let count = 0;
  for (let day = first + 1; day <= last; day += 1) {
    if (isWorkingDayNumber(region, day)) count += 1;
  }
  // Written out so that an empty backward span gives 0, not -0.
  return count === 0 ? 0 : sign * count;
}
