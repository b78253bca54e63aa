import { describe, expect, it } from 'vitest';
import {
  CALENDAR_REGIONS,
  dueAt,
  isCalendarRegion,
  isWorkingDay,
  workingDaysBetween,
  type CalendarRegion,
} from './working-days.js';

// Expected dates come from the published UK bank holidays and were cross-checked against
// date-holidays' data. Clocks change on 29 Mar and 25 Oct 2026, 28 Mar and 31 Oct 2027.
const due = (region: CalendarRegion, enteredAt: string, workingDays: number): string =>
  dueAt(region, new Date(enteredAt), workingDays).toISOString();

describe('isCalendarRegion', () => {
  it('accepts the four UK regions only', () => {
    expect(CALENDAR_REGIONS.every(isCalendarRegion)).toBe(true);
    expect(isCalendarRegion('GB')).toBe(false);
    expect(isCalendarRegion('gb-eng')).toBe(false);
    expect(isCalendarRegion('GB-LDN')).toBe(false);
    expect(isCalendarRegion(undefined)).toBe(false);
  });
});

describe('dueAt', () => {
  it('skips Good Friday everywhere and Easter Monday everywhere but Scotland', () => {
    // Thu 25 Mar 2027; Good Friday 26 Mar, Easter Monday 29 Mar, BST from Sun 28 Mar.
    const entered = '2027-03-25T10:00:00.000Z';
    expect(due('GB-ENG', entered, 1)).toBe('2027-03-30T16:00:00.000Z');
    expect(due('GB-WLS', entered, 1)).toBe('2027-03-30T16:00:00.000Z');
    expect(due('GB-NIR', entered, 1)).toBe('2027-03-30T16:00:00.000Z');
    expect(due('GB-SCT', entered, 1)).toBe('2027-03-29T16:00:00.000Z');
  });

  it('skips the substitute days when Christmas and New Year fall at a weekend', () => {
    // Sat 25 and Sun 26 Dec 2027 give Mon 27 and Tue 28 Dec; Sat 1 Jan 2028 gives Mon 3 Jan, and
    // in Scotland Sun 2 Jan gives Tue 4 Jan as well. Working: Fri 24, Wed 29, Thu 30, Fri 31 Dec.
    const entered = '2027-12-23T10:00:00.000Z';
    expect(due('GB-ENG', entered, 1)).toBe('2027-12-24T17:00:00.000Z');
    expect(due('GB-ENG', entered, 2)).toBe('2027-12-29T17:00:00.000Z');
    expect(due('GB-SCT', entered, 2)).toBe('2027-12-29T17:00:00.000Z');
    expect(due('GB-ENG', entered, 5)).toBe('2028-01-04T17:00:00.000Z');
    expect(due('GB-WLS', entered, 5)).toBe('2028-01-04T17:00:00.000Z');
    expect(due('GB-NIR', entered, 5)).toBe('2028-01-04T17:00:00.000Z');
    expect(due('GB-SCT', entered, 5)).toBe('2028-01-05T17:00:00.000Z');
  });

  it("skips Scotland's substitute for 2 January on a Saturday", () => {
    // Fri 1 Jan 2027 is a holiday everywhere; Sat 2 Jan gives Mon 4 Jan in Scotland only.
    const entered = '2026-12-31T10:00:00.000Z';
    expect(due('GB-ENG', entered, 1)).toBe('2027-01-04T17:00:00.000Z');
    expect(due('GB-SCT', entered, 1)).toBe('2027-01-05T17:00:00.000Z');
  });

  it("skips St Andrew's Day and its substitute in Scotland only", () => {
    // Tue 30 Nov 2027.
    expect(due('GB-SCT', '2027-11-29T10:00:00.000Z', 1)).toBe('2027-12-01T17:00:00.000Z');
    expect(due('GB-ENG', '2027-11-29T10:00:00.000Z', 1)).toBe('2027-11-30T17:00:00.000Z');
    // Sat 30 Nov 2030 gives Mon 2 Dec.
    expect(due('GB-SCT', '2030-11-29T10:00:00.000Z', 1)).toBe('2030-12-03T17:00:00.000Z');
    expect(due('GB-ENG', '2030-11-29T10:00:00.000Z', 1)).toBe('2030-12-02T17:00:00.000Z');
  });

  it("skips St Patrick's Day and its substitute in Northern Ireland only", () => {
    // Wed 17 Mar 2027.
    expect(due('GB-NIR', '2027-03-16T10:00:00.000Z', 1)).toBe('2027-03-18T17:00:00.000Z');
    expect(due('GB-ENG', '2027-03-16T10:00:00.000Z', 1)).toBe('2027-03-17T17:00:00.000Z');
    expect(due('GB-SCT', '2027-03-16T10:00:00.000Z', 1)).toBe('2027-03-17T17:00:00.000Z');
    // Sat 17 Mar 2029 gives Mon 19 Mar.
    expect(due('GB-NIR', '2029-03-16T10:00:00.000Z', 1)).toBe('2029-03-20T17:00:00.000Z');
    expect(due('GB-ENG', '2029-03-16T10:00:00.000Z', 1)).toBe('2029-03-19T17:00:00.000Z');
  });

  it('skips the Battle of the Boyne and its substitute in Northern Ireland only', () => {
    // Mon 12 Jul 2027; entered Fri 9 Jul at 10:00 BST.
    expect(due('GB-NIR', '2027-07-09T09:00:00.000Z', 1)).toBe('2027-07-13T16:00:00.000Z');
    expect(due('GB-ENG', '2027-07-09T09:00:00.000Z', 1)).toBe('2027-07-12T16:00:00.000Z');
    // Sun 12 Jul 2026 gives Mon 13 Jul; entered Fri 10 Jul.
    expect(due('GB-NIR', '2026-07-10T09:00:00.000Z', 1)).toBe('2026-07-14T16:00:00.000Z');
    expect(due('GB-ENG', '2026-07-10T09:00:00.000Z', 1)).toBe('2026-07-13T16:00:00.000Z');
  });

  it('starts counting on Monday for a stage entered at the weekend', () => {
    expect(due('GB-ENG', '2027-03-06T10:00:00.000Z', 1)).toBe('2027-03-08T17:00:00.000Z');
    expect(due('GB-ENG', '2027-03-06T10:00:00.000Z', 3)).toBe('2027-03-10T17:00:00.000Z');
    expect(due('GB-ENG', '2027-03-07T23:59:00.000Z', 1)).toBe('2027-03-08T17:00:00.000Z');
  });

  it('counts a stage entered after 17:00 on a Friday from that Friday', () => {
    // Fri 5 Mar 2027 (GMT): 17:30 and 09:00 are the same day, so day 1 is Mon 8 Mar either way.
    expect(due('GB-ENG', '2027-03-05T17:30:00.000Z', 1)).toBe('2027-03-08T17:00:00.000Z');
    expect(due('GB-ENG', '2027-03-05T09:00:00.000Z', 1)).toBe('2027-03-08T17:00:00.000Z');
    // Fri 18 Jun 2027 at 17:30 BST is 16:30Z.
    expect(due('GB-ENG', '2027-06-18T16:30:00.000Z', 1)).toBe('2027-06-21T16:00:00.000Z');
  });

  it('takes the London date, not the UTC date, of a stage entered just after midnight BST', () => {
    // 00:30 BST on Tue 15 Jun 2027 is still Mon 14 Jun in UTC; counting from Tuesday gives Wed 16.
    expect(due('GB-ENG', '2027-06-14T23:30:00.000Z', 1)).toBe('2027-06-16T16:00:00.000Z');
    // 23:30 GMT on Mon 14 Jun would be 00:30 BST on Tuesday; 23:30 BST is 22:30Z, still Monday.
    expect(due('GB-ENG', '2027-06-14T22:30:00.000Z', 1)).toBe('2027-06-15T16:00:00.000Z');
  });

  it('is due at 17:00 GMT before the March clock change and 17:00 BST after it', () => {
    // Tue 24 Mar 2026; BST begins Sun 29 Mar.
    expect(due('GB-ENG', '2026-03-24T09:00:00.000Z', 3)).toBe('2026-03-27T17:00:00.000Z');
    expect(due('GB-ENG', '2026-03-24T09:00:00.000Z', 4)).toBe('2026-03-30T16:00:00.000Z');
  });

  it('is due at 17:00 BST before the October clock change and 17:00 GMT after it', () => {
    // Wed 21 Oct 2026 at 09:00 BST; GMT resumes Sun 25 Oct.
    expect(due('GB-ENG', '2026-10-21T08:00:00.000Z', 2)).toBe('2026-10-23T16:00:00.000Z');
    expect(due('GB-ENG', '2026-10-21T08:00:00.000Z', 3)).toBe('2026-10-26T17:00:00.000Z');
    // Entered during the repeated hour of Sun 25 Oct (01:30 BST, then 01:30 GMT): still Sunday.
    expect(due('GB-ENG', '2026-10-25T00:30:00.000Z', 1)).toBe('2026-10-26T17:00:00.000Z');
    expect(due('GB-ENG', '2026-10-25T01:30:00.000Z', 1)).toBe('2026-10-26T17:00:00.000Z');
  });

  it('accepts 1 to 60 working days and refuses anything else', () => {
    const entered = new Date('2027-03-01T10:00:00.000Z');
    expect(dueAt('GB-ENG', entered, 60).toISOString()).toBe('2027-05-27T16:00:00.000Z');
    for (const bad of [0, 61, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => dueAt('GB-ENG', entered, bad)).toThrow(RangeError);
    }
    expect(() => dueAt('GB-ENG', new Date('not a date'), 1)).toThrow(RangeError);
    expect(() => dueAt('GB' as CalendarRegion, entered, 1)).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('knows weekends and each region’s bank holidays', () => {
    expect(isWorkingDay('GB-ENG', '2027-03-29')).toBe(false);
    expect(isWorkingDay('GB-SCT', '2027-03-29')).toBe(true);
    expect(isWorkingDay('GB-SCT', '2027-03-26')).toBe(false);
    expect(isWorkingDay('GB-ENG', '2027-03-27')).toBe(false);
    expect(isWorkingDay('GB-ENG', '2027-03-28')).toBe(false);
    expect(isWorkingDay('GB-ENG', '2028-01-04')).toBe(true);
    expect(isWorkingDay('GB-SCT', '2028-01-04')).toBe(false);
    expect(isWorkingDay('GB-SCT', '2031-12-01')).toBe(false);
    expect(isWorkingDay('GB-NIR', '2031-07-14')).toBe(false);
    expect(isWorkingDay('GB-ENG', '2031-07-14')).toBe(true);
  });

  it('counts the one-off bank holidays date-holidays records', () => {
    // Queen Elizabeth II's funeral, Mon 19 Sep 2022.
    for (const region of CALENDAR_REGIONS) expect(isWorkingDay(region, '2022-09-19')).toBe(false);
  });

  it('refuses anything that is not a YYYY-MM-DD calendar date', () => {
    for (const bad of ['2027-3-29', '2027-02-30', '29/03/2027', '2027-03-29T00:00:00Z', '']) {
      expect(() => isWorkingDay('GB-ENG', bad)).toThrow(RangeError);
    }
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after the first London date up to and including the last', () => {
    expect(
      workingDaysBetween(
        'GB-ENG',
        new Date('2027-03-25T10:00:00.000Z'),
        new Date('2027-03-30T09:00:00.000Z'),
      ),
    ).toBe(1);
    expect(
      workingDaysBetween(
        'GB-SCT',
        new Date('2027-03-25T10:00:00.000Z'),
        new Date('2027-03-30T09:00:00.000Z'),
      ),
    ).toBe(2);
    // Thu 23 Dec 2027 to Wed 5 Jan 2028: 24, 29, 30, 31 Dec, then 4 Jan (not in Scotland), 5 Jan.
    const from = new Date('2027-12-23T10:00:00.000Z');
    const to = new Date('2028-01-05T12:00:00.000Z');
    expect(workingDaysBetween('GB-ENG', from, to)).toBe(6);
    expect(workingDaysBetween('GB-SCT', from, to)).toBe(5);
    expect(workingDaysBetween('GB-SCT', to, from)).toBe(-5);
  });

  it('is 0 within one London date, even across UTC midnight', () => {
    expect(
      workingDaysBetween(
        'GB-ENG',
        new Date('2027-06-14T23:30:00.000Z'),
        new Date('2027-06-15T22:59:00.000Z'),
      ),
    ).toBe(0);
    expect(
      workingDaysBetween(
        'GB-ENG',
        new Date('2027-03-07T10:00:00.000Z'),
        new Date('2027-03-06T10:00:00.000Z'),
      ),
    ).toBe(0);
  });

  it('undoes dueAt', () => {
    const entries = [
      '2026-10-24T22:30:00.000Z',
      '2027-03-25T10:00:00.000Z',
      '2027-06-14T23:30:00.000Z',
      '2027-11-26T18:00:00.000Z',
      '2027-12-23T10:00:00.000Z',
    ];
    for (const region of CALENDAR_REGIONS) {
      for (const entered of entries) {
        for (const n of [1, 3, 5, 10, 60]) {
          const enteredAt = new Date(entered);
          expect(workingDaysBetween(region, enteredAt, dueAt(region, enteredAt, n))).toBe(n);
        }
      }
    }
  });
});
