import type { EntityManager } from '@mikro-orm/core';

/** One group of the read model: escalations alike in everything the statistics count by. */
export interface StatsRow {
  month: string;
  category: string;
  raising: string;
  responding: string;
  themeMask: number;
  highestStage: number;
  panel: boolean;
  n: number;
  stagesCompleted: number;
  stagesWithin: number;
  /** Working days from raising to the agreed outcome; null while there is none. */
  outcomeWorkingDays?: number | null;
}

/**
 * A board's read model in columns: each text value is a number into its sorted dictionary, so
 * computing the statistics is integer work over typed arrays, and a cached board costs about
 * 30 bytes per group rather than an object and its strings.
 */
export interface StatsTable {
  readonly size: number;
  /** Distinct values, sorted; the columns below hold indexes into them. */
  readonly months: readonly string[];
  readonly categories: readonly string[];
  /** Agency kinds, raising and responding alike. */
  readonly kinds: readonly string[];
  /** Distinct highest stages, ascending. */
  readonly stages: readonly number[];
  readonly month: Uint16Array;
  readonly category: Uint8Array;
  readonly raising: Uint8Array;
  readonly responding: Uint8Array;
  /** Theme bits (0–30): a non-negative 32-bit integer. */
  readonly themeMask: Int32Array;
  readonly highestStage: Uint8Array;
  readonly panel: Uint8Array;
  readonly n: Float64Array;
  readonly stagesCompleted: Float64Array;
  readonly stagesWithin: Float64Array;
  /** -1 where the group has no agreed outcome. */
  readonly outcomeWorkingDays: Int32Array;
}

const MAX = { month: 0xffff, code: 0xff, stage: 0xff } as const;

function dictionary(values: Iterable<string>, limit: number, what: string) {
  const sorted = [...new Set(values)].sort();
  if (sorted.length > limit + 1) throw new Error(`statistics: more than ${limit + 1} ${what}`);
  return { values: sorted, index: new Map(sorted.map((value, i) => [value, i])) };
}

/** The columns of `rows`; throws on a value the columns cannot hold rather than mangle it. */
export function statsTable(rows: readonly StatsRow[]): StatsTable {
  const months = dictionary(
    rows.map((r) => r.month),
    MAX.month,
    'months',
  );
  const categories = dictionary(
    rows.map((r) => r.category),
    MAX.code,
    'categories',
  );
  const kinds = dictionary(
    rows.flatMap((r) => [r.raising, r.responding]),
    MAX.code,
    'agency kinds',
  );
  const size = rows.length;
  const table = {
    size,
    months: months.values,
    categories: categories.values,
    kinds: kinds.values,
    stages: [...new Set(rows.map((r) => r.highestStage))].sort((a, b) => a - b),
    month: new Uint16Array(size),
    category: new Uint8Array(size),
    raising: new Uint8Array(size),
    responding: new Uint8Array(size),
    themeMask: new Int32Array(size),
    highestStage: new Uint8Array(size),
    panel: new Uint8Array(size),
    n: new Float64Array(size),
    stagesCompleted: new Float64Array(size),
    stagesWithin: new Float64Array(size),
    outcomeWorkingDays: new Int32Array(size),
  } satisfies StatsTable;
  rows.forEach((row, i) => {
    const whole = (value: number, max: number, what: string) => {
      if (!Number.isInteger(value) || value < 0 || value > max)
        throw new Error(`statistics: ${what} ${value} is not a whole number from 0 to ${max}`);
      return value;
    };
    table.month[i] = months.index.get(row.month)!;
    table.category[i] = categories.index.get(row.category)!;
    table.raising[i] = kinds.index.get(row.raising)!;
    table.responding[i] = kinds.index.get(row.responding)!;
    table.themeMask[i] = whole(row.themeMask, 0x7fffffff, 'theme mask');
    table.highestStage[i] = whole(row.highestStage, MAX.stage, 'highest stage');
    table.panel[i] = row.panel ? 1 : 0;
    table.n[i] = whole(row.n, Number.MAX_SAFE_INTEGER, 'count');
    table.stagesCompleted[i] = row.stagesCompleted;
    table.stagesWithin[i] = row.stagesWithin;
    const days = row.outcomeWorkingDays;
    table.outcomeWorkingDays[i] =
      days === null || days === undefined ? -1 : whole(days, 0x7fffffff, 'working days');
  });
  return table;
}

interface RawRow {
  raised_month: string;
  category: string;
  raising_kind: string;
  responding_kind: string;
  theme_mask: number | string;
  highest_stage: number | string;
  panel: boolean | number;
  outcome_working_days: number | string | null;
  n: number | string;
  stages_completed: number | string | null;
  stages_within: number | string | null;
}

/**
 * The board's read model grouped by everything the statistics count by (the working days to
 * an outcome included, for the median): one scan of the board's rows (index on board_id).
 * Disclosure control needs the whole board, not only the filter's share, to compare the filter
 * with its relaxations.
 */
export async function loadStatsTable(em: EntityManager, boardId: string): Promise<StatsTable> {
  const rows: RawRow[] = await em.getConnection().execute(
    `select raised_month, category, raising_kind, responding_kind, theme_mask, highest_stage,
            panel, outcome_working_days, count(*) as n,
            sum(stages_completed) as stages_completed, sum(stages_within) as stages_within
       from stats_escalation where board_id = ?
      group by raised_month, category, raising_kind, responding_kind, theme_mask,
               highest_stage, panel, outcome_working_days`,
    [boardId],
    'all',
  );
  return statsTable(
    rows.map((row) => ({
      month: row.raised_month,
      category: row.category,
      raising: row.raising_kind,
      responding: row.responding_kind,
      themeMask: Number(row.theme_mask),
      highestStage: Number(row.highest_stage),
      panel: row.panel === true || Number(row.panel) === 1,
      outcomeWorkingDays:
        row.outcome_working_days === null ? null : Number(row.outcome_working_days),
      n: Number(row.n),
      stagesCompleted: Number(row.stages_completed ?? 0),
      stagesWithin: Number(row.stages_within ?? 0),
    })),
  );
}
