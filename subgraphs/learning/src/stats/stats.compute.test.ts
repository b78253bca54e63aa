import { describe, expect, it } from 'vitest';
import {
  computeStats,
  DisclosureRefusal,
  medianWorkingDaysToOutcome,
  type StatsCriteria,
} from './stats.compute.js';
import { statsTable, type StatsRow } from './stats.table.js';

const THEMES = [
  { code: 'INFORMATION_SHARING', bit: 0 },
  { code: 'NEGLECT', bit: 12 },
];
const KEYS = {
  categories: ['LEVELS_OF_NEED', 'COMMUNICATION', 'SERVICE_PROVISION'],
  agencyKinds: ['POLICE', 'HEALTH', 'EDUCATION'],
};

/** `n` escalations alike; the rest of the row defaults to the commonest case. */
function row(n: number, over: Partial<StatsRow> = {}): StatsRow {
  return {
    month: '2027-01',
    category: 'LEVELS_OF_NEED',
    raising: 'POLICE',
    responding: 'HEALTH',
    themeMask: 0,
    highestStage: 1,
    panel: false,
    n,
    stagesCompleted: 0,
    stagesWithin: 0,
    ...over,
  };
}

/** A board with 40 escalations: categories 20 / 17 / 3, raised by police 22, health 18. */
const BOARD: StatsRow[] = [
  row(12, { raising: 'POLICE', responding: 'HEALTH' }),
  row(8, { raising: 'HEALTH', responding: 'EDUCATION', month: '2027-02' }),
  row(10, { category: 'COMMUNICATION', raising: 'POLICE', responding: 'EDUCATION', themeMask: 1 }),
  row(7, { category: 'COMMUNICATION', raising: 'HEALTH', responding: 'POLICE', highestStage: 2 }),
  row(3, { category: 'SERVICE_PROVISION', raising: 'HEALTH', responding: 'POLICE', themeMask: 1 }),
];

const stats = (criteria: StatsCriteria = {}, rows = BOARD) =>
  computeStats(statsTable(rows), criteria, THEMES, KEYS, 5);
const bucket = (buckets: { key: string; count: number | null }[], key: string) =>
  buckets.find((b) => b.key === key);

describe('computeStats', () => {
  it('counts every breakdown from the rows', () => {
    const result = stats();
    expect(result.total).toBe(40);
    expect(result.byCategory.map((b) => [b.key, b.count])).toEqual([
      ['LEVELS_OF_NEED', 20],
      ['COMMUNICATION', null],
      ['SERVICE_PROVISION', null],
    ]);
    expect(bucket(result.byRaisingAgencyKind, 'POLICE')?.count).toBe(22);
    expect(bucket(result.byRaisingAgencyKind, 'HEALTH')?.count).toBe(18);
    expect(bucket(result.byRaisingAgencyKind, 'EDUCATION')?.count).toBe(0);
    expect(bucket(result.byTheme, 'INFORMATION_SHARING')?.count).toBe(13);
    expect(bucket(result.byTheme, 'NEGLECT')?.count).toBe(0);
    expect(bucket(result.byMonth, '2027-01')?.count).toBe(32);
    expect(bucket(result.byHighestStage, '2')?.count).toBe(7);
  });

  it('never lets total minus the shown cells give a suppressed cell away', () => {
    const result = stats();
    // SERVICE_PROVISION (3) is small; COMMUNICATION (17) goes with it, so 40 - 20 = 20 is all
    // an analyst can work out: the two together.
    for (const breakdown of [
      result.byCategory,
      result.byRaisingAgencyKind,
      result.byRespondingAgencyKind,
      result.byHighestStage,
      result.byMonth,
      result.agencyPairs,
    ]) {
      const hidden = breakdown.filter((b) => b.suppressed);
      expect(hidden.length === 0 || hidden.length >= 2).toBe(true);
      if (hidden.length === 0) continue;
      const shown = breakdown.reduce((sum, b) => sum + (b.count ?? 0), 0);
      expect(result.total - shown).toBeGreaterThanOrEqual(5);
    }
  });

  it('refuses a filter whose total differs from a wider filter by a small count', () => {
    // No filter: 40. All categories but SERVICE_PROVISION: 37. 40 - 37 = 3 would be disclosed.
    expect(() => stats({ categories: new Set(['LEVELS_OF_NEED', 'COMMUNICATION']) })).toThrow(
      DisclosureRefusal,
    );
    try {
      stats({ categories: new Set(['LEVELS_OF_NEED', 'COMMUNICATION']) });
    } catch (error) {
      expect((error as DisclosureRefusal).dimension).toBe('category');
    }
  });

  it('refuses a filter that one more value would turn into a small difference', () => {
    // {LEVELS_OF_NEED} = 20 is fine on its own, but with SERVICE_PROVISION added it would be 23:
    // so the filter {LEVELS_OF_NEED, SERVICE_PROVISION} is refused; {LEVELS_OF_NEED} answers.
    expect(stats({ categories: new Set(['LEVELS_OF_NEED']) }).total).toBe(20);
    expect(() => stats({ categories: new Set(['LEVELS_OF_NEED', 'SERVICE_PROVISION']) })).toThrow(
      DisclosureRefusal,
    );
  });

  it('suppresses a cell that differs from the same cell under a wider filter by a small count', () => {
    const narrowed = stats({ responding: new Set(['HEALTH', 'EDUCATION']) });
    // 30 of 40 respond HEALTH or EDUCATION; the rest (10, POLICE) is not small: answered.
    expect(narrowed.total).toBe(30);
    // Raised by HEALTH: 8 here and 18 without the filter (10 apart): shown.
    expect(bucket(narrowed.byRaisingAgencyKind, 'HEALTH')?.count).toBe(8);
    // Theme INFORMATION_SHARING: 10 here, 13 without: 3 apart, so suppressed here.
    expect(bucket(narrowed.byTheme, 'INFORMATION_SHARING')).toMatchObject({
      count: null,
      suppressed: true,
    });
  });

  it('refuses a total below the threshold, and answers zero', () => {
    expect(() =>
      stats({ raising: new Set(['HEALTH']), categories: new Set(['SERVICE_PROVISION']) }),
    ).toThrow(DisclosureRefusal);
    expect(stats({ raising: new Set(['EDUCATION']) }).total).toBe(0);
  });

  it('filters by month, theme and agency kinds', () => {
    expect(stats({ fromMonth: '2027-02', toMonth: '2027-02' }).total).toBe(8);
    expect(stats({ themeMask: 1 }).total).toBe(13);
    expect(stats({ raising: new Set(['POLICE']) }).total).toBe(22);
  });

  it('gives the share of stages completed in time only over enough stages', () => {
    const rows = [
      row(10, { stagesCompleted: 10, stagesWithin: 7 }),
      row(2, { category: 'COMMUNICATION', stagesCompleted: 2, stagesWithin: 0 }),
    ];
    expect(stats({}, rows).stagesWithinTimescaleRate).toBeCloseTo(7 / 12);
    expect(
      stats({}, [row(5, { stagesCompleted: 3, stagesWithin: 3 })]).stagesWithinTimescaleRate,
    ).toBeNull();
  });

  it('reads the median working days to an outcome off the matching groups', () => {
    const rows = [
      row(3, { outcomeWorkingDays: 2 }),
      row(2, { outcomeWorkingDays: 9 }),
      row(4, { raising: 'HEALTH', outcomeWorkingDays: 20 }),
      row(6, { outcomeWorkingDays: null }),
    ];
    const median = (criteria: StatsCriteria, atLeast = 5) =>
      medianWorkingDaysToOutcome(statsTable(rows), criteria, atLeast);
    // 2 2 2 9 9 20 20 20 20: the fifth.
    expect(median({})).toBe(9);
    // Raised by police: 2 2 2 9 9, the third; an even count averages the middle two.
    expect(median({ raising: new Set(['POLICE']) })).toBe(2);
    expect(median({ raising: new Set(['HEALTH']) }, 4)).toBe(20);
    expect(
      medianWorkingDaysToOutcome(
        statsTable([row(1, { outcomeWorkingDays: 4 }), row(1, { outcomeWorkingDays: 7 })]),
        {},
        2,
      ),
    ).toBe(5.5);
    // Fewer outcomes than the threshold: none.
    expect(median({ raising: new Set(['HEALTH']) })).toBeNull();
    expect(median({ categories: new Set() })).toBeNull();
  });
});

describe('statsTable', () => {
  it('keeps text values in sorted dictionaries and numbers in columns', () => {
    const table = statsTable(BOARD);
    expect(table.size).toBe(5);
    expect(table.categories).toEqual(['COMMUNICATION', 'LEVELS_OF_NEED', 'SERVICE_PROVISION']);
    expect(table.kinds).toEqual(['EDUCATION', 'HEALTH', 'POLICE']);
    expect(table.months).toEqual(['2027-01', '2027-02']);
    expect(table.stages).toEqual([1, 2]);
    expect(Array.from(table.n)).toEqual([12, 8, 10, 7, 3]);
    expect(Array.from(table.outcomeWorkingDays)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('refuses a value its columns cannot hold rather than store another', () => {
    expect(() => statsTable([row(1, { themeMask: 2 ** 31 })])).toThrow(/theme mask 2147483648/);
    expect(() => statsTable([row(1, { highestStage: 300 })])).toThrow(/highest stage 300/);
    expect(() => statsTable([row(1.5)])).toThrow(/count 1.5/);
    expect(() => statsTable([row(1, { outcomeWorkingDays: -2 })])).toThrow(/working days -2/);
  });
});
