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
 * 40 bytes per row rather than an object and its strings.
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

/** Text values numbered as met; `sorted` renumbers them in order once all are in. */
class Dictionary {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}

  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      if (i > this.limit) throw new Error(`statistics: more than ${this.limit + 1} ${this.what}`);
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }

  /** The values in order, and each number met's new number. */
  sorted(): { values: string[]; renumber: Uint16Array } {
    const values = [...this.values].sort();
    const renumber = new Uint16Array(this.values.length);
    values.forEach((value, i) => (renumber[this.index.get(value)!] = i));
    return { values, renumber };
  }
}

function whole(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new Error(`statistics: ${what} ${value} is not a whole number from 0 to ${max}`);
  return value;
}

/**
 * The columns of `rows` (each read by `read`), in one pass; throws on a value the columns cannot
 * hold rather than mangle it.
 */
export function statsTable<T = StatsRow>(
  rows: readonly T[],
  read: (row: T) => StatsRow = (row) => row as StatsRow,
): StatsTable {
  const size = rows.length;
  const months = new Dictionary(MAX.month, 'months');
  const categories = new Dictionary(MAX.code, 'categories');
  const kinds = new Dictionary(MAX.code, 'agency kinds');
  const stages = new Set<number>();
  const table = {
    size,
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
  };
  for (let i = 0; i < size; i++) {
    const row = read(rows[i]!);
    table.month[i] = months.of(row.month);
    table.category[i] = categories.of(row.category);
    table.raising[i] = kinds.of(row.raising);
    table.responding[i] = kinds.of(row.responding);
    table.themeMask[i] = whole(row.themeMask, 0x7fffffff, 'theme mask');
    const stage = whole(row.highestStage, MAX.stage, 'highest stage');
    table.highestStage[i] = stage;
    stages.add(stage);
    table.panel[i] = row.panel ? 1 : 0;
    table.n[i] = whole(row.n, Number.MAX_SAFE_INTEGER, 'count');
    table.stagesCompleted[i] = row.stagesCompleted;
    table.stagesWithin[i] = row.stagesWithin;
    const days = row.outcomeWorkingDays;
    table.outcomeWorkingDays[i] =
      days === null || days === undefined ? -1 : whole(days, 0x7fffffff, 'working days');
  }
  // Number the text values in sorted order, as the published breakdowns list them.
  const renumbered = (dictionary: Dictionary, column: Uint8Array | Uint16Array) => {
    const { values, renumber } = dictionary.sorted();
    for (let i = 0; i < size; i++) column[i] = renumber[column[i]!]!;
    return values;
  };
  return {
    ...table,
    months: renumbered(months, table.month),
    categories: renumbered(categories, table.category),
    kinds: (() => {
      const { values, renumber } = kinds.sorted();
      for (let i = 0; i < size; i++) {
        table.raising[i] = renumber[table.raising[i]!]!;
        table.responding[i] = renumber[table.responding[i]!]!;
      }
      return values;
    })(),
    stages: [...stages].sort((a, b) => a - b),
  };
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
  stages_completed: number | string;
  stages_within: number | string;
}

/**
 * The board's read model, one row per escalation: an index-only scan of the board's entries in
 * the index that holds every column read (stats-board-version.migration.ts). Grouping the rows
 * in the database would cost a sort as large as the board and save little: boards' rows are
 * nearly all distinct. Disclosure control needs the whole board, not only the filter's share,
 * to compare the filter with its relaxations.
 */
export async function loadStatsTable(em: EntityManager, boardId: string): Promise<StatsTable> {
  const rows: RawRow[] = await em.getConnection().execute(
    `select raised_month, category, raising_kind, responding_kind, theme_mask, highest_stage,
            panel, outcome_working_days, stages_completed, stages_within
       from stats_escalation where board_id = ?`,
    [boardId],
    'all',
  );
  return statsTable(rows, (row) => ({
    month: row.raised_month,
    category: row.category,
    raising: row.raising_kind,
    responding: row.responding_kind,
    themeMask: Number(row.theme_mask),
    highestStage: Number(row.highest_stage),
    panel: row.panel === true || Number(row.panel) === 1,
    outcomeWorkingDays: row.outcome_working_days === null ? null : Number(row.outcome_working_days),
    n: 1,
    stagesCompleted: Number(row.stages_completed),
    stagesWithin: Number(row.stages_within),
  }));
}
