import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyedStatsTable,
  patchStatsTable,
  statsTable,
  type ChangedStatsRow,
  type StatsRow,
} from './stats.table.js';

/** A key as the projection makes them: 64 hex digits. */
const key = (n: number) => createHash('sha256').update(`escalation ${n}`).digest('hex');

/** A small deterministic generator (mulberry32), so a failure can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['2026-10', '2026-11', '2026-12'];
const CATEGORIES = ['LEVELS_OF_NEED', 'COMMUNICATION', 'SERVICE_PROVISION'];
const KINDS = ['POLICE', 'HEALTH', 'EDUCATION', 'CHILDRENS_SOCIAL_CARE'];

function row(next: () => number, over: Partial<StatsRow> = {}): StatsRow {
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const completed = Math.floor(next() * 4);
  return {
    month: pick(MONTHS),
    category: pick(CATEGORIES),
    raising: pick(KINDS),
    responding: pick(KINDS),
    themeMask: Math.floor(next() * 2 ** 17),
    highestStage: 1 + Math.floor(next() * 4),
    panel: next() < 0.2,
    n: 1,
    stagesCompleted: completed,
    stagesWithin: Math.floor(next() * (completed + 1)),
    outcomeWorkingDays: next() < 0.5 ? null : Math.floor(next() * 40),
    ...over,
  };
}

const table = (rows: ReadonlyMap<string, StatsRow>) =>
  keyedStatsTable(
    [...rows],
    ([k]) => k,
    ([, r]) => r,
  );

describe('patchStatsTable', () => {
  it('equals the table read afresh, for changed, added and repeated rows in any order', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const rows = new Map<string, StatsRow>();
      // Every month, category and kind appears, so no change brings a value the table lacks.
      for (let n = 0; n < 30 + Math.floor(next() * 200); n++) rows.set(key(n), row(next));
      MONTHS.forEach((month, i) => rows.set(key(10_000 + i), row(next, { month })));
      CATEGORIES.forEach((category, i) => rows.set(key(20_000 + i), row(next, { category })));
      KINDS.forEach((kind, i) => rows.set(key(30_000 + i), row(next, { raising: kind })));
      const before = table(rows);
      expect(before.keys).toBeDefined();

      const changed: ChangedStatsRow[] = [];
      for (let c = 0; c < 1 + Math.floor(next() * 20); c++) {
        // Half change a row the table has (first, last or any), half add one.
        const n =
          next() < 0.5
            ? [0, rows.size - 1, Math.floor(next() * rows.size)][Math.floor(next() * 3)]!
            : 50_000 + Math.floor(next() * 1000);
        const k = n >= 50_000 ? key(n) : [...rows.keys()][n]!;
        const r = row(next);
        changed.push({ key: k, row: r });
      }
      const after = new Map(rows);
      for (const { key: k, row: r } of changed) after.set(k, r);

      const patched = patchStatsTable(before, changed);
      expect(patched, `seed ${seed}`).toEqual(table(after));
      // The table patched is left as it was, for requests still computing over it.
      expect(before, `seed ${seed}`).toEqual(table(rows));
    }
  });

  it('lists only the highest stages still held after a row moves up', () => {
    const rows = new Map([
      [key(1), row(random(1), { highestStage: 1 })],
      [key(2), row(random(2), { highestStage: 2 })],
    ]);
    const patched = patchStatsTable(table(rows), [
      { key: key(1), row: { ...rows.get(key(1))!, highestStage: 3 } },
    ]);
    expect(patched?.stages).toEqual([2, 3]);
  });

  it('cannot patch a row that brings a month, category or agency kind the table has not met', () => {
    const rows = new Map([[key(1), row(random(1), { month: '2026-11' })]]);
    const base = rows.get(key(1))!;
    const kept = table(rows);
    expect(patchStatsTable(kept, [{ key: key(2), row: { ...base, month: '2027-01' } }])).toBeNull();
    expect(
      patchStatsTable(kept, [{ key: key(2), row: { ...base, category: 'OTHER' } }]),
    ).toBeNull();
    expect(patchStatsTable(kept, [{ key: key(2), row: { ...base, responding: 'HOUSING' } }])).toBe(
      null,
    );
  });

  it('cannot patch a table built from groups rather than keyed rows', () => {
    const grouped = statsTable([row(random(3))]);
    expect(grouped.keys).toBeUndefined();
    expect(patchStatsTable(grouped, [])).toBeNull();
  });

  it('keeps no keys for a board two of whose keys begin alike, so it is only read whole', () => {
    const same = key(1).slice(0, 32);
    const kept = keyedStatsTable(
      [`${same}${'0'.repeat(32)}`, `${same}${'f'.repeat(32)}`],
      (k) => k,
      () => row(random(4)),
    );
    expect(kept.size).toBe(2);
    expect(kept.keys).toBeUndefined();
  });

  it('orders rows by key whatever order they come in', () => {
    const keys = [key(1), key(2), key(3)];
    const sorted = [...keys].sort();
    const kept = keyedStatsTable(
      keys,
      (k) => k,
      (k) => row(random(5), { highestStage: 1 + sorted.indexOf(k) }),
    );
    expect([...kept.highestStage]).toEqual([1, 2, 3]);
  });
});
